/**
 * Shared snapshots on a compacted Kafka topic: {@link dev.inventoryledger.kafka.internal.snapshot.SnapshotLayout}
 * (the records: chunks in two slots per writer, a manifest per partition),
 * {@link dev.inventoryledger.kafka.internal.snapshot.SnapshotWriter} (encodes and writes one partition's captured
 * state off the feed's thread), {@link dev.inventoryledger.kafka.internal.snapshot.SnapshotReader} (finds each
 * partition's newest whole snapshot at start) and {@link dev.inventoryledger.kafka.internal.snapshot.SnapshotMetrics}.
 * When to capture, and from which state, is the feed's ({@code feed.FeedSnapshots}).
 */
package dev.inventoryledger.kafka.internal.snapshot;
