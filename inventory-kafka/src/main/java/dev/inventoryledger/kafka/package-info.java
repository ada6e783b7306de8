/**
 * Kafka adapter: {@link dev.inventoryledger.kafka.KafkaInventoryFeed} feeds an inventory ledger from the
 * article's topics and dead-letters what it cannot take. Everything under {@code internal} is machinery.
 */
package dev.inventoryledger.kafka;
