/**
 * The feed: {@link dev.inventoryledger.kafka.internal.feed.FeedRunner} runs
 * {@link dev.inventoryledger.kafka.internal.feed.FeedCycle} (the poll cycle) on a thread; the cycle uses one
 * service per concern ({@link dev.inventoryledger.kafka.internal.feed.FeedPositions},
 * {@link dev.inventoryledger.kafka.internal.feed.PartitionDiscovery},
 * {@link dev.inventoryledger.kafka.internal.feed.DeadLetterWriter},
 * {@link dev.inventoryledger.kafka.internal.feed.FeedCheckpoints},
 * {@link dev.inventoryledger.kafka.internal.feed.FeedMetrics}); a
 * {@link dev.inventoryledger.kafka.internal.feed.RecordGate} stands between the records and the ledger.
 * {@link dev.inventoryledger.kafka.internal.feed.AsOfRebuild} is the audit path. Calls go one way: facade,
 * cycle, services.
 */
package dev.inventoryledger.kafka.internal.feed;
