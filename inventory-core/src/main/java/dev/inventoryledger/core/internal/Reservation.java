package dev.inventoryledger.core.internal;

import java.util.Arrays;

/**
 * A reservation id and its lines (one per product and warehouse).
 *
 * <p>Concurrency: {@link #lines} is copy-on-write, appended under this object's monitor, read without it.
 * {@link #openLines}, {@link #queuedForRetirement} and {@link #retired} are written only by
 * {@link ReservationIndex}, under this object's monitor. Each line's own state is guarded by its product's
 * lock. Lock order: a product's write lock, then this monitor; never the other way.
 */
public final class Reservation {
    public final String id;
    private volatile HoldLine[] lines = new HoldLine[0];

    /** Lines added and not yet ended (counted from the moment they are added, so never retired half-made). */
    int openLines;
    /** Sitting in the index's queue of ended reservations. */
    boolean queuedForRetirement;
    /** Removed from the index: no line may be added any more. */
    boolean retired;

    Reservation(String id) {
        this.id = id;
    }

    /** The lines, in the order they were added. Do not modify the array. */
    public HoldLine[] lines() {
        return lines;
    }

    /** The line for a product and warehouse, or null. */
    public HoldLine line(String productId, String warehouseId) {
        for (HoldLine l : lines) {
            if (l.product.productId.equals(productId) && l.slot.warehouseId.equals(warehouseId)) {
                return l;
            }
        }
        return null;
    }

    /** Adds an open line; the caller ({@link ReservationIndex}) holds this monitor and the line's product lock. */
    HoldLine addLine(ProductState product, Slot slot) {
        assert Thread.holdsLock(this);
        openLines++;
        HoldLine[] old = lines;
        HoldLine[] copy = Arrays.copyOf(old, old.length + 1);
        HoldLine line = new HoldLine(this, product, slot);
        copy[old.length] = line;
        lines = copy;
        return line;
    }
}
