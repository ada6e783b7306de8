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

    /** The prefix of the keys of {@link #checkpointState()}: never a topic's name. */
    String STATE_KEY = "gate|";
}
