/**
 * The Kafka adapter's machinery. Not API. The feed: {@link dev.inventoryledger.kafka.internal.FeedRunner} runs
 * {@link dev.inventoryledger.kafka.internal.FeedCycle} (the poll cycle) on a thread; the cycle uses one service
 * per concern ({@link dev.inventoryledger.kafka.internal.FeedPositions},
 * {@link dev.inventoryledger.kafka.internal.PartitionDiscovery},
 * {@link dev.inventoryledger.kafka.internal.DeadLetterWriter},
 * {@link dev.inventoryledger.kafka.internal.FeedCheckpoints}, {@link dev.inventoryledger.kafka.internal.FeedMetrics}).
 * Shared: {@link dev.inventoryledger.kafka.internal.KafkaClients} (every client's properties),
 * {@link dev.inventoryledger.kafka.internal.EventCodec} (the JSON), and
 * {@link dev.inventoryledger.kafka.internal.AsOfRebuild} (the audit path). Calls go one way: facade, cycle,
 * services.
 */
package dev.inventoryledger.kafka.internal;
