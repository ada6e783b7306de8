package dev.inventoryledger.core;

/**
 * What {@link InventoryLedger#confirm(String, String)} or {@link InventoryLedger#release(String)} found and
 * did. Each hold ends exactly once; a repeated or late call reports how it had ended and changes nothing.
 */
public enum HoldOutcome {
    /** This call turned the hold into an order: held and available went down by its quantity. */
    CONFIRMED,
    /** This call released the hold: its units are sellable again. */
    RELEASED,
    /**
     * {@code confirm} only: the hold had lapsed, but its units were still sellable, so this call took them
     * and made the order at once (atomically, never overselling). The storefront may treat it as
     * {@link #CONFIRMED}.
     */
    CONFIRMED_AFTER_EXPIRY,
    /** {@code extend} only: the active lines now lapse at the new instant. */
    EXTENDED,
    /** The hold had already been turned into an order (by a {@code confirm} or an order event naming it). */
    ALREADY_CONFIRMED,
    /** The hold had already been released (by a {@code release} or a {@code released} event). */
    ALREADY_RELEASED,
    /**
     * The hold's time to live had passed before this call: its units were given back, nothing was sold. For
     * {@code confirm}: the units were no longer sellable either (refund or backorder the order).
     */
    EXPIRED,
    /** The ledger knows no hold under this reservation id (never held, or forgotten after retention). */
    UNKNOWN,
    /**
     * {@code confirm} only: the order id is already known at one of the hold's positions with another
     * quantity or reservation. Nothing changed: the hold is still active, to be confirmed under another order
     * id or released.
     */
    ORDER_CONFLICT,
    /**
     * Only from a cluster of instances ({@code InventoryCluster} in the Kafka module): no decision reached this
     * caller within its bound. The call may or may not have taken effect; making it again is safe (a second
     * confirm of the same order is {@link #ALREADY_CONFIRMED}, a second release {@link #ALREADY_RELEASED}).
     */
    OUTCOME_UNKNOWN
}
