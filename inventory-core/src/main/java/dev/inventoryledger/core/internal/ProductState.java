package dev.inventoryledger.core.internal;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * Everything the ledger keeps for one product: its positions (one {@link Slot} per warehouse), the
 * identities of its events, the expiry order of its holds, and its settings.
 *
 * <p>Concurrency: one {@link StampedLock} per product: this object itself, so that a reader finds the lock,
 * the slots and the expiry mark on the same object (one cache miss fewer than a lock in a field). Writers of
 * this product take its write lock, so writers of different products never contend. Readers of a position use
 * an optimistic read validated afterwards (no lock, no allocation); they fall back to the read lock when
 * writers keep invalidating them. {@link #slots} is copy-on-grow and only ever appended to, so a reader holding
 * a stale array misses at most a position that did not exist when it started.
 *
 * <p>Ownership: this class is the only writer of its slots' counters; every mutator asserts that the write
 * lock is held and that the counters stay meaningful (held never negative).
 */
public final class ProductState extends StampedLock {
    private static final long serialVersionUID = 1L;

    public final String productId;

    /**
     * The part this product was last found in by {@link #partOf}: {@code parts << 16 | part}, 0 before. A racy
     * cache of a pure function (any thread; an int is written whole): a stale or missing value is recomputed.
     */
    private int partCache;

    /** Written under the write lock; read optimistically. Non-null prefix of length {@link #slotCount}. */
    private transient Slot[] slots = new Slot[1];
    /**
     * The warehouse ids' hash codes, parallel to {@link #slots}: a lookup scans these ints (one cache line)
     * and touches only the matching slot. Written under the write lock before the slot is published.
     */
    private transient int[] hashes = new int[1];
    /** Low-stock thresholds parallel to {@link #slots}, or null while none is set (the common case). */
    private transient int[] thresholds;
    private int slotCount;

    /** Guarded by the write lock. Created on first use. */
    private transient IdentityTable identities;

    /** Active holds with an expiry, soonest first; a line leaves when it ends. Write lock. */
    private transient ExpiryHeap expiries;

    /**
     * Expiry of the head of {@link #expiries}, or {@link HoldLine#NEVER}: no hold of this product lapses
     * before it. Written under the write lock; volatile so that readers outside the lock may test it.
     */
    public volatile long nextExpiryNanos = HoldLine.NEVER;

    /** Units below zero sellable that reservations may reach at each position. Write lock; read under a lock. */
    private long backorderLimit;

    public ProductState(String productId) {
        this.productId = productId;
    }

    /**
     * Which of {@code parts} parts (fewer than 32,768) this product belongs to, as {@code partOf} says of its id:
     * computed once per count, so that a snapshot of one Kafka partition finds its products without hashing
     * every id again.
     */
    public int partOf(int parts, java.util.function.ToIntFunction<String> partOf) {
        int cached = partCache;
        if (cached >>> 16 == parts) {
            return cached & 0xFFFF;
        }
        int part = partOf.applyAsInt(productId);
        partCache = parts << 16 | part;
        return part;
    }

    // ------------------------------------------------------------------------------------------ positions

    /**
     * The slot for a warehouse, or null. Safe in an optimistic read: on a racy view (arrays of two
     * generations, a slot not yet published) it returns a wrong answer, never throws; the caller validates.
     */
    public Slot find(String warehouseId) {
        return slotAt(indexOf(warehouseId));
    }

    private int indexOf(String warehouseId) {
        int h = warehouseId.hashCode();
        int[] hs = hashes;
        Slot[] ss = slots;
        int n = Math.min(hs.length, ss.length);
        for (int i = 0; i < n; i++) {
            if (hs[i] == h) {
                Slot s = ss[i];
                if (s != null && warehouseId.equals(s.warehouseId)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private Slot slotAt(int i) {
        Slot[] ss = slots;
        return i >= 0 && i < ss.length ? ss[i] : null;
    }

    /** Adds the slot of a warehouse this product has no slot for. Write lock held. */
    Slot addSlot(String warehouseId) {
        assert isWriteLocked() && find(warehouseId) == null : productId + "@" + warehouseId;
        Slot s = new Slot(warehouseId);
        if (slotCount == slots.length) {
            // grow by half: products mostly have a handful of warehouses, and waste costs per product
            int cap = slotCount + Math.max(1, slotCount >> 1);
            hashes = Arrays.copyOf(hashes, cap);
            slots = Arrays.copyOf(slots, cap);
            if (thresholds != null) {
                thresholds = Arrays.copyOf(thresholds, cap);
                Arrays.fill(thresholds, slotCount, cap, -1);
            }
        }
        hashes[slotCount] = warehouseId.hashCode();
        slots[slotCount++] = s;
        return s;
    }

    /** The slots now present (a copy). Call under a lock, or validate the stamp afterwards. */
    public Slot[] slots() {
        Slot[] a = slots;
        int n = 0;
        while (n < a.length && a[n] != null) {
            n++;
        }
        return Arrays.copyOf(a, n);
    }

    /** available += delta; the caller has checked that it does not overflow. Write lock held. */
    public void changeAvailable(Slot s, long delta) {
        assert isWriteLocked();
        s.available += delta;
    }

    /** held += delta; held never goes below zero. Write lock held. */
    public void changeHeld(Slot s, long delta) {
        assert isWriteLocked();
        assert s.held + delta >= 0 : "held would go negative at " + productId + "@" + s.warehouseId + ": " + s.held
                + " + " + delta;
        s.held += delta;
    }

    /** Moves lastUpdated forward to the given time if it is later. Write lock held. */
    public void touch(Slot s, long eventMicros) {
        assert isWriteLocked();
        if (eventMicros > s.lastUpdatedMicros) {
            s.lastUpdatedMicros = eventMicros;
        }
    }

    /** Sets the units kept back from sale (≥ 0). Write lock held. */
    public void setSafetyStock(Slot s, long units) {
        assert isWriteLocked() && units >= 0;
        s.safetyStock = units;
    }

    /** Loads a position's counters from a checkpoint into a slot just added. Write lock held. */
    public void restore(Slot s, long available, long held, long lastUpdatedMicros, long safetyStock) {
        assert isWriteLocked() && held >= 0 && safetyStock >= 0;
        s.available = available;
        s.held = held;
        s.lastUpdatedMicros = lastUpdatedMicros;
        s.safetyStock = safetyStock;
    }

    // ------------------------------------------------------------------------------------------ settings

    /** The slot's low-stock threshold, or {@code fallback} if none is set. Write or read lock held. */
    public long lowStockThreshold(Slot s, long fallback) {
        int[] ts = thresholds;
        if (ts == null) {
            return fallback;
        }
        int t = ts[indexOf(s.warehouseId)];
        return t < 0 ? fallback : t;
    }

    /** Sets the slot's low-stock threshold (≥ 0). Write lock held. */
    public void setLowStockThreshold(Slot s, int threshold) {
        assert isWriteLocked() && threshold >= 0;
        if (thresholds == null) {
            thresholds = new int[slots.length];
            Arrays.fill(thresholds, -1);
        }
        thresholds[indexOf(s.warehouseId)] = threshold;
    }

    /** Units below zero sellable that reservations may reach at each position. A lock held. */
    public long backorderLimit() {
        return backorderLimit;
    }

    /** Sets the backorder limit (≥ 0). Write lock held. */
    public void setBackorderLimit(long units) {
        assert isWriteLocked() && units >= 0;
        backorderLimit = units;
    }

    // ------------------------------------------------------------------------------------------ identities

    /** A new, empty identity memory for this product, which has none yet. Write lock held. */
    IdentityTable newIdentities() {
        assert isWriteLocked() && identities == null;
        return identities = new IdentityTable();
    }

    /** This product's identity memory, or null before its first identity. A lock held. */
    IdentityTable identitiesOrNull() {
        return identities;
    }

    /** The remembered identities, oldest first, as {@link IdentityTable#entries()}. Write or read lock held. */
    public long[] identityEntries() {
        return identities == null ? new long[0] : identities.entries();
    }

    /** The newest event time (seconds) of an identity this product forgot, or −1. Write or read lock held. */
    public long identitiesForgottenSeconds() {
        return identities == null ? -1 : identities.forgottenSeconds();
    }

    /** Identities remembered (0 before the first). A racy read is fine for metrics. */
    public int identityCount() {
        IdentityTable t = identities;
        return t == null ? 0 : t.size();
    }

    // ------------------------------------------------------------------------------------------ expiry order

    /** Schedules an active line's expiry. Write lock held. */
    void scheduleExpiry(HoldLine line) {
        assert isWriteLocked() && line.expiresAtNanos != HoldLine.NEVER;
        if (expiries == null) {
            expiries = new ExpiryHeap();
        }
        expiries.add(line);
        if (line.expiresAtNanos < nextExpiryNanos) {
            nextExpiryNanos = line.expiresAtNanos;
        }
    }

    /** Takes a line out of the expiry order, if it is there. Write lock held. */
    void unschedule(HoldLine line) {
        assert isWriteLocked();
        if (expiries != null && line.heapIndex >= 0) {
            expiries.remove(line);
            HoldLine head = expiries.peek();
            nextExpiryNanos = head == null ? HoldLine.NEVER : head.expiresAtNanos;
        }
    }

    /**
     * Takes out of the expiry order the next active line whose expiry is at or before {@code nowNanos} and
     * returns it, or returns null when none is due. Write lock held.
     */
    HoldLine pollDue(long nowNanos) {
        assert isWriteLocked();
        ExpiryHeap q = expiries;
        if (q == null) {
            return null;
        }
        HoldLine head;
        while ((head = q.peek()) != null && head.expiresAtNanos <= nowNanos) {
            q.poll();
            if (head.state == HoldLine.ACTIVE) {
                HoldLine next = q.peek();
                nextExpiryNanos = next == null ? HoldLine.NEVER : next.expiresAtNanos;
                return head;
            }
        }
        nextExpiryNanos = head == null ? HoldLine.NEVER : head.expiresAtNanos;
        return null;
    }
}
