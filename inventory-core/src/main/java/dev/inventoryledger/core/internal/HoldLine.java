package dev.inventoryledger.core.internal;

/**
 * One line of a reservation: units of one product at one warehouse, and where it is in its life.
 *
 * <p>Life: a line is born {@link #ACTIVE} by a hold (in process or from a {@code held} event) and ends
 * exactly once: {@link #CONFIRMED} (in process), {@link #CONSUMED} (an order event naming the
 * reservation), {@link #RELEASED} or {@link #EXPIRED}. Releases may give back part of it first
 * ({@link #released}); the line holds {@link #units()} = quantity − released while active. A release or
 * consuming order that arrives before its {@code held} leaves the line waiting for it ({@link #PRE_RELEASED},
 * {@link #PRE_CONSUMED}); the late {@code held} then nets with it. {@link HoldBook} lists the legal
 * transitions.
 *
 * <p>Ownership: {@link #state}, {@link #quantity}, {@link #released}, {@link #expiresAtNanos} and
 * {@link #orderId} are written only by {@link HoldBook} (and {@link #heapIndex} only by {@link ExpiryHeap}),
 * always under the write lock of {@link #product}, and read under that lock.
 */
public final class HoldLine {
    public static final byte ACTIVE = 1;
    public static final byte CONFIRMED = 2;
    public static final byte CONSUMED = 3;
    public static final byte RELEASED = 4;
    public static final byte EXPIRED = 5;
    public static final byte PRE_RELEASED = 6;
    public static final byte PRE_CONSUMED = 7;
    /** A line not yet held and not yet ended (transient, while being created). */
    public static final byte NEW = 0;

    /** The hold never lapses. */
    public static final long NEVER = Long.MAX_VALUE;

    public final Reservation reservation;
    public final ProductState product;
    public final Slot slot;

    byte state = NEW;
    /**
     * Units of the hold (its {@code held} quantity; in a checkpoint written before confirms counted as releases,
     * less what confirms took in part); 0 before its held.
     */
    long quantity;
    /** Units released so far, by releases of part or all of it and by confirms of part, from events or in process. */
    long released;
    /**
     * Units released after the line lapsed (the history's word that it did), apart from {@link #released} so
     * that the line keeps its units for a late confirm; counted for the over-release report only, up to
     * {@code Integer.MAX_VALUE} (an int: the line stays 64 bytes); not in checkpoints.
     */
    int releasedAfterLapse;
    /** Epoch nanoseconds at which the hold lapses, or {@link #NEVER}. */
    long expiresAtNanos = NEVER;
    /** The order a {@link #CONFIRMED} or {@link #CONSUMED} line became, so that its echo is recognised. */
    String orderId;
    /** Position in the product's {@link ExpiryHeap}, or −1 when not in it. */
    int heapIndex = -1;

    HoldLine(Reservation reservation, ProductState product, Slot slot) {
        this.reservation = reservation;
        this.product = product;
        this.slot = slot;
    }

    /** Units the line holds while active, quantity − released (what it held when it ended, once ended). */
    public long units() {
        return quantity - released;
    }

    /** Every release counted against the line's held quantity, for the over-release report. */
    long releasedInAll() {
        return released + releasedAfterLapse;
    }

    /** True for a line that ended as an order. */
    public boolean sold() {
        return state == CONFIRMED || state == CONSUMED || state == PRE_CONSUMED;
    }

    public String productId() {
        return product.productId;
    }

    public String warehouseId() {
        return slot.warehouseId;
    }
}
