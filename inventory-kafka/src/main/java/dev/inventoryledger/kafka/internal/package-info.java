/** The Kafka adapter's machinery (JSON codec). Not API. */
package dev.inventoryledger.kafka.internal;
