package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.cluster.FencingGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Map;

/**
 * Stands between the feed and its ledger for a cluster of instances ({@code InventoryCluster}): it sees every
 * record in log order, keeps the ones that are the cluster's own control records (owners' claims, answers that
 * change nothing) and decisions of a fenced owner out of the ledger, and hears what was applied. Every feed
 * has one: {@link FencingGate}, unless a cluster instance gives its own.
 *
 * <p>Called on the feed's thread only, record by record in each partition's order.
 */
public interface RecordGate {
    /** True if the record is an event for the ledger; false if it is read and skipped. */
    boolean admit(ConsumerRecord<byte[], byte[]> record);

    /** The admitted record's event was applied with this outcome. */
    void applied(ConsumerRecord<byte[], byte[]> record, InventoryEvent event, ApplyOutcome outcome);

    /**
     * What the gate must remember across a restart, stored with the checkpoint's source offsets under keys
     * that start with {@link #STATE_KEY}. Called between records.
     */
    default Map<String, Long> checkpointState() {
        return Map.of();
    }

    /** What {@link #checkpointState()} stored, back from a checkpoint (every stored entry is passed). */
    default void restoreState(Map<String, Long> stored) {
    }

    /**
     * Runs the capture of a checkpoint: a cluster instance holds its decisions still and has every one taken
     * so far written to the log first, so that the checkpoint never counts a decision the log might not get.
     */
    default void aroundCheckpoint(Runnable capture) {
        capture.run();
    }

    /** What {@link #checkpointState()} holds about one partition (a snapshot of that partition stores it). */
    default Map<String, Long> checkpointState(int partition) {
        return Map.of();
    }

    /** The partitions, of {@code partitions}, whose snapshots this instance writes: all, for a plain replica. */
    default java.util.List<Integer> snapshotPartitions(int partitions) {
        return java.util.stream.IntStream.range(0, partitions).boxed().toList();
    }

    /**
     * Takes the snapshots of these partitions through the taker: a plain replica captures them as they stand
     * (between records, its state is exactly the fold of the records before its offsets); a cluster instance
     * holds its decisions on them still, has every one written and read back first, and leaves out a partition
     * it no longer owns or whose claim it has seen overtaken.
     *
     * @return false if a partition that is still this instance's to write could not be captured (its decisions
     *         were not read back in time, or it has seen a later owner's claim)
     */
    default boolean aroundSnapshot(java.util.Set<Integer> partitions, SnapshotTaker taker) {
        Map<Integer, Long> epochs = new java.util.HashMap<>();
        partitions.forEach(p -> epochs.put(p, -1L));
        taker.capture(epochs);
        return true;
    }

    /** The replica's state was loaded from a checkpoint or snapshots, before any record is read. */
    default void restored(dev.inventoryledger.core.internal.CheckpointFile.Contents state) {
    }

    /** The prefix of the keys of {@link #checkpointState()}: never a topic's name. */
    String STATE_KEY = "gate|";
}
