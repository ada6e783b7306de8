package dev.inventoryledger.core.internal;

/**
 * One (product, warehouse) position's counters: 48 bytes with compressed pointers. Rarely used settings
 * (the low-stock threshold) live in the owning {@link ProductState}, not here.
 *
 * <p>Ownership: the counters are written only by the owning {@link ProductState}'s mutators (which assert that
 * its write lock is held), and read either under its read lock or inside an optimistic read that is validated
 * afterwards (the lock's stamp is the seqlock that keeps available and held from the same moment). Plain
 * fields are enough: the lock's release/acquire and validate fences order them.
 */
public final class Slot {
    /** No event time seen yet. */
    public static final long NO_TIME = Long.MIN_VALUE;
    public final String warehouseId;

    /** Sum of the stock deltas applied; negative when oversold. */
    long available;
    /** Units in active holds; never negative. */
    long held;
    /** Greatest event time applied, in microseconds since the epoch, or {@link #NO_TIME}. */
    long lastUpdatedMicros = NO_TIME;
    /** Units kept back from sale. */
    long safetyStock;

    Slot(String warehouseId) {
        this.warehouseId = warehouseId;
    }

    /** A slot belonging to no product: a placeholder while planning, never published. */
    public static Slot detached(String warehouseId) {
        return new Slot(warehouseId);
    }

    /** available − held − safety stock, saturating at the bounds of a long instead of wrapping. */
    public long sellable() {
        return sellable(available, held, safetyStock);
    }

    /** available − held − safety, saturating at the bounds of a long instead of wrapping. */
    public static long sellable(long available, long held, long safety) {
        return saturatedSubtract(saturatedSubtract(available, held), safety);
    }

    /** a − b, or the nearest bound of a long when that overflows. */
    public static long saturatedSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /** a + b, or the nearest bound of a long when that overflows. */
    public static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }
}
