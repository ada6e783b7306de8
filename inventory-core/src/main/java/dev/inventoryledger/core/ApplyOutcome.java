package dev.inventoryledger.core;

/**
 * What {@link InventoryLedger#apply(InventoryEvent)} did with an event.
 *
 * <p>An event's identity is its {@code event_id} when present (scoped to its product), otherwise (kind, id,
 * product, warehouse), the status being part of a reservation's kind. The payload compared for conflicts is
 * the quantity (and on an order its reservation id; with an {@code event_id}, also kind, id and warehouse);
 * a redelivery that differs only in its event time is a plain duplicate. Identities are remembered for the
 * ledger's {@link InventoryLedger.Builder#dedupHorizon(java.time.Duration) dedup horizon} of event time; an
 * event that might be a redelivery of one forgotten since is {@link #LATE}, never counted silently.
 */
public enum ApplyOutcome {
    /** The event was new and its effect is now in the counts. */
    APPLIED,
    /** An event with the same identity and payload was applied before: this one changed nothing. */
    DUPLICATE,
    /**
     * An event with the same identity but another payload (another quantity, or on an order another
     * reservation id) was applied before: the first one stands, this one changed nothing and is reported.
     * Also a {@code released} (or the {@code held} it meets) by which a hold's releases add up to more units
     * than the hold: that event is applied — the hold ends — and reported, since the extra units cannot be
     * un-held; a redelivery of it is then a {@link #DUPLICATE}.
     */
    CONFLICT,
    /**
     * The event's identity is not remembered, and its event time is at or before the newest time its product has
     * forgotten identities of (the {@link InventoryLedger.Builder#dedupHorizon(java.time.Duration) horizon} passed
     * them, or the memory bound): it might be a redelivery of a forgotten event, so it was refused and changed
     * nothing. The Kafka feed dead-letters such a record with the reason. A ledger built with
     * {@link InventoryLedger.Builder#applyLateEvents(boolean) applyLateEvents(true)} applies it instead.
     */
    LATE;

    /** True only for {@link #APPLIED}. */
    public boolean applied() {
        return this == APPLIED;
    }
}
