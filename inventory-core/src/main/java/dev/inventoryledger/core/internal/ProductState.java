package dev.inventoryledger.core.internal;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * Everything the ledger keeps for one product: its positions (one {@link Slot} per warehouse), the
 * identities of its events, and the expiry order of its holds.
 *
 * <p>Concurrency: one {@link StampedLock} per product: this object itself, so that a reader finds the lock,
 * the slots and the expiry mark on the same object (one cache miss fewer than a lock in a field). Writers of this product take its write lock, so
 * writers of different products never contend. Readers of a position use an optimistic read validated
 * afterwards (no lock, no allocation); they fall back to the read lock when writers keep invalidating them.
 * {@link #slots} is copy-on-grow and only ever appended to, so a reader holding a stale array misses at most
 * a position that did not exist when it started.
 */
public final class ProductState extends StampedLock {
    private static final long serialVersionUID = 1L;

    public final String productId;

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

    /** Units below zero sellable that reservations may reach at each position. Write lock. */
    public long backorderLimit;

    public ProductState(String productId) {
        this.productId = productId;
    }

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

    /** The slot for a warehouse, created if absent. Write lock held. */
    public Slot slot(String warehouseId, Runnable onCreate) {
        Slot s = find(warehouseId);
        if (s == null) {
            s = new Slot(warehouseId);
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
            onCreate.run();
        }
        return s;
    }

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
        if (thresholds == null) {
            thresholds = new int[slots.length];
            Arrays.fill(thresholds, -1);
        }
        thresholds[indexOf(s.warehouseId)] = threshold;
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

    /** This product's identity memory. Write lock held. */
    public IdentityTable identities(int bound) {
        IdentityTable t = identities;
        if (t == null) {
            t = identities = new IdentityTable(bound);
        }
        return t;
    }

    /** The remembered identities, oldest first, as {@link IdentityTable#entries()}. Write or read lock held. */
    public long[] identityEntries() {
        return identities == null ? new long[0] : identities.entries();
    }

    /** Identities remembered (0 before the first). Write or read lock held. */
    public int identityCount() {
        return identities == null ? 0 : identities.size();
    }

    /** Schedules a line's expiry. Write lock held. */
    public void scheduleExpiry(HoldLine line) {
        if (expiries == null) {
            expiries = new ExpiryHeap();
        }
        expiries.add(line);
        if (line.expiresAtNanos < nextExpiryNanos) {
            nextExpiryNanos = line.expiresAtNanos;
        }
    }

    /** Takes an ended line out of the expiry order, if it is there. Write lock held. */
    public void unschedule(HoldLine line) {
        if (expiries != null && line.heapIndex >= 0) {
            expiries.remove(line);
            HoldLine head = expiries.peek();
            nextExpiryNanos = head == null ? HoldLine.NEVER : head.expiresAtNanos;
        }
    }

    /** Moves a line's expiry (extend). The line is active. Write lock held. */
    public void reschedule(HoldLine line, long expiresAtNanos) {
        unschedule(line); // before the key changes: the heap orders by it
        line.expiresAtNanos = expiresAtNanos;
        if (expiresAtNanos != HoldLine.NEVER) {
            scheduleExpiry(line);
        }
    }

    /**
     * Removes from the expiry order every line whose expiry is at or before {@code nowNanos}, handing each
     * to {@code lapse}. Write lock held.
     */
    public void pollDue(long nowNanos, java.util.function.Consumer<HoldLine> lapse) {
        ExpiryHeap q = expiries;
        if (q == null) {
            return;
        }
        HoldLine head;
        while ((head = q.peek()) != null && head.expiresAtNanos <= nowNanos) {
            q.poll();
            if (head.state == HoldLine.ACTIVE) {
                lapse.accept(head);
            }
        }
        nextExpiryNanos = head == null ? HoldLine.NEVER : head.expiresAtNanos;
    }
}
