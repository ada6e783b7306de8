package dev.inventoryledger.core.internal;

/**
 * One line of a reservation: units of one product at one warehouse, and where it is in its life.
 *
 * <p>Life: a line is born {@link #ACTIVE} by a hold (in process or from a {@code held} event) and ends
 * exactly once: {@link #CONFIRMED} (in process), {@link #CONSUMED} (an order event naming the
 * reservation), {@link #RELEASED} or {@link #EXPIRED}. A release or consuming order that arrives before its
 * {@code held} leaves the line ended before it began ({@link #PRE_RELEASED}, {@link #PRE_CONSUMED}); the
 * late {@code held} then nets to zero.
 *
 * <p>Concurrency: {@link #state}, {@link #quantity}, {@link #expiresAtNanos} and {@link #orderId} are written and read only
 * under the write lock of {@link #product}.
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

    public byte state = NEW;
    public long quantity;
    /** Epoch nanoseconds at which the hold lapses, or {@link #NEVER}. */
    public long expiresAtNanos = NEVER;
    /** The order a {@link #CONFIRMED} or {@link #CONSUMED} line became, so that its echo is recognised. */
    public String orderId;
    /** Position in the product's {@link ExpiryHeap}, or −1 when not in it. */
    int heapIndex = -1;

    HoldLine(Reservation reservation, ProductState product, Slot slot) {
        this.reservation = reservation;
        this.product = product;
        this.slot = slot;
    }

    /** True for a line that ended as an order. */
    public boolean sold() {
        return state == CONFIRMED || state == CONSUMED || state == PRE_CONSUMED;
    }
}
