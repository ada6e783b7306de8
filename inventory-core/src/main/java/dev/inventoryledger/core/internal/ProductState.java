package dev.inventoryledger.core.internal;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.concurrent.locks.StampedLock;

/**
 * Everything the ledger keeps for one product: its positions (one {@link Slot} per warehouse), the
 * identities of its events, and the expiry order of its holds.
 *
 * <p>Concurrency: one {@link StampedLock} per product. Writers of this product take its write lock, so
 * writers of different products never contend. Readers of a position use an optimistic read validated
 * afterwards (no lock, no allocation); they fall back to the read lock when writers keep invalidating them.
 * {@link #slots} is copy-on-grow and only ever appended to, so a reader holding a stale array misses at most
 * a position that did not exist when it started.
 */
public final class ProductState {
    public final String productId;
    public final StampedLock lock = new StampedLock();

    /** Written under the write lock; read optimistically. Non-null prefix of length {@link #slotCount}. */
    private Slot[] slots = new Slot[2];
    private int slotCount;

    /** Guarded by the write lock. Created on first use. */
    private IdentityTable identities;

    /** Holds with an expiry, soonest first; ended lines are dropped when they reach the head. Write lock. */
    private PriorityQueue<HoldLine> expiries;

    /**
     * Expiry of the head of {@link #expiries}, or {@link HoldLine#NEVER}: no hold of this product lapses
     * before it. Written under the write lock; volatile so that readers outside the lock may test it.
     */
    public volatile long nextExpiryMillis = HoldLine.NEVER;

    public ProductState(String productId) {
        this.productId = productId;
    }

    /** The slot for a warehouse, or null. Safe in an optimistic read: never throws on a racy view. */
    public Slot find(String warehouseId) {
        int h = warehouseId.hashCode();
        for (Slot s : slots) {
            if (s == null) {
                return null;
            }
            if (s.warehouseHash == h && warehouseId.equals(s.warehouseId)) {
                return s;
            }
        }
        return null;
    }

    /** The slot for a warehouse, created if absent. Write lock held. */
    public Slot slot(String warehouseId, Runnable onCreate) {
        Slot s = find(warehouseId);
        if (s == null) {
            s = new Slot(warehouseId);
            if (slotCount == slots.length) {
                slots = Arrays.copyOf(slots, slotCount * 2);
            }
            slots[slotCount++] = s;
            onCreate.run();
        }
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

    /** Number of positions. Write or read lock held. */
    public int slotCount() {
        return slotCount;
    }

    /** This product's identity memory. Write lock held. */
    public IdentityTable identities(int bound) {
        IdentityTable t = identities;
        if (t == null) {
            t = identities = new IdentityTable(bound);
        }
        return t;
    }

    /** Identities remembered (0 before the first). Write or read lock held. */
    public int identityCount() {
        return identities == null ? 0 : identities.size();
    }

    /** Schedules a line's expiry. Write lock held. */
    public void scheduleExpiry(HoldLine line) {
        if (expiries == null) {
            expiries = new PriorityQueue<>(4, (a, b) -> Long.compare(a.expiresAtMillis, b.expiresAtMillis));
        }
        expiries.add(line);
        if (line.expiresAtMillis < nextExpiryMillis) {
            nextExpiryMillis = line.expiresAtMillis;
        }
    }

    /**
     * Removes from the expiry order every line whose expiry is at or before {@code nowMillis}, handing the
     * still-active ones to {@code lapse}. Write lock held.
     */
    public void pollDue(long nowMillis, java.util.function.Consumer<HoldLine> lapse) {
        PriorityQueue<HoldLine> q = expiries;
        if (q == null) {
            return;
        }
        HoldLine head;
        while ((head = q.peek()) != null && head.expiresAtMillis <= nowMillis) {
            q.poll();
            if (head.state == HoldLine.ACTIVE) {
                lapse.accept(head);
            }
        }
        nextExpiryMillis = head == null ? HoldLine.NEVER : head.expiresAtMillis;
    }
}
