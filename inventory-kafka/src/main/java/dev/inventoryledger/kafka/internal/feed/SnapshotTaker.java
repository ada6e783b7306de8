package dev.inventoryledger.kafka.internal.feed;

import java.util.Map;
import java.util.Set;

/**
 * What the feed offers a {@link RecordGate} while it takes snapshots, on the feed's thread, between records:
 * reading on until some partitions are caught up, and capturing partitions as they stand.
 */
public interface SnapshotTaker {
    /**
     * Reads on (applying records of every partition as usual) until, for each of these partitions, every topic's
     * partition has been read up to the end offset it has now; false if that took longer than a few seconds.
     */
    boolean catchUp(Set<Integer> partitions);

    /** Captures these partitions' state now and hands it to the writer, each with its writer's epoch (−1: none). */
    void capture(Map<Integer, Long> epochs);

    /** The feed's way of catching some partitions up, as {@link #catchUp}. */
    @FunctionalInterface
    interface CatchUp {
        boolean to(Set<Integer> partitions);
    }
}
