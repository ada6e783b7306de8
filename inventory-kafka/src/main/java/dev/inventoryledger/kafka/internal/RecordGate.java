package dev.inventoryledger.kafka.internal;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Stands between the feed and its ledger for a cluster of instances ({@code InventoryCluster}): it sees every
 * record in log order, keeps the ones that are the cluster's own control records (owners' claims, answers that
 * change nothing) and decisions of a fenced owner out of the ledger, and hears what was applied. A plain feed's
 * gate, {@link #OPEN}, admits everything.
 *
 * <p>Called on the feed's thread only, record by record in each partition's order.
 */
public interface RecordGate {
    /** Admits every record and hears nothing. */
    RecordGate OPEN = new RecordGate() {
        @Override
        public boolean admit(ConsumerRecord<byte[], byte[]> record) {
            return true;
        }

        @Override
        public void applied(ConsumerRecord<byte[], byte[]> record, InventoryEvent event, ApplyOutcome outcome) {
        }
    };

    /** True if the record is an event for the ledger; false if it is read and skipped. */
    boolean admit(ConsumerRecord<byte[], byte[]> record);

    /** The admitted record's event was applied with this outcome. */
    void applied(ConsumerRecord<byte[], byte[]> record, InventoryEvent event, ApplyOutcome outcome);
}
