/** The publisher's side: {@link dev.inventoryledger.kafka.internal.publish.SendQueue}, the bounded queue and
 * the one thread that hands records to the producer, so that nothing the ledger tells waits on Kafka. */
package dev.inventoryledger.kafka.internal.publish;
