package dev.inventoryledger.core.internal;

/**
 * A reservation id and its lines (one per product and warehouse).
 *
 * <p>Concurrency: {@link #lines} is copy-on-write, appended under this object's monitor, read without it.
 * {@link #openLines}, {@link #queuedForRetirement} and {@link #retired} are guarded by this object's
 * monitor. Each line's own state is guarded by its product's lock. Lock order: a product's write lock,
 * then this monitor; never the other way.
 */
public final class Reservation {
    public final String id;
    private volatile HoldLine[] lines = new HoldLine[0];

    /** Lines added and not yet ended (counted from the moment they are added, so never retired half-made). */
    public int openLines;
    /** Sitting in the ledger's queue of ended reservations. */
    public boolean queuedForRetirement;
    /** Removed from the ledger's index: no line may be added any more. */
    public boolean retired;

    public Reservation(String id) {
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

    /** Adds an open line; the caller holds this monitor and the line's product lock. */
    public HoldLine addLine(ProductState product, Slot slot) {
        openLines++;
        HoldLine[] old = lines;
        HoldLine[] copy = java.util.Arrays.copyOf(old, old.length + 1);
        HoldLine line = new HoldLine(this, product, slot);
        copy[old.length] = line;
        lines = copy;
        return line;
    }
}
