package dev.inventoryledger.kafka;

/**
 * Where a {@link KafkaInventoryFeed} is in its life, for health checks: a readiness probe passes while the feed
 * is {@link #LIVE}; a liveness probe fails once it is {@link #FAILED} (its {@code failure()} says why).
 */
public enum FeedState {
    /** {@code start()} was called: restoring the checkpoint, checking the topics, positioning every partition. */
    STARTING,
    /** Positioned; reading the records that were already there when it started. Counts are not yet whole. */
    CATCHING_UP,
    /** Has read every partition to the end offsets found at start, and goes on reading: counts are whole. */
    LIVE,
    /** Stopped on its own: a refused start, no broker within the feed's bound, a dead letter not written ... */
    FAILED,
    /** Closed by {@code close()}. */
    CLOSED
}
