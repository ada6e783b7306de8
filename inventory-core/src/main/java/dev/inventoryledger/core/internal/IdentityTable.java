package dev.inventoryledger.core.internal;

/**
 * The identities one product remembers, oldest first: a ring of (64-bit identity, 32-bit payload fingerprint,
 * 32-bit event time in seconds) entries with an open-addressing index over it. Which identities to forget is
 * {@link IdentityRegister}'s business (by the dedup horizon, or early under the ledger's memory bound); this
 * class keeps them, finds them, forgets the oldest on request, and remembers the newest event time it has
 * forgotten ({@link #forgottenSeconds()}): an event at or before that time might be a redelivery of a
 * forgotten one.
 *
 * <p>Layout: the ring holds {@link #capacity()} entries, three quarters of the index's length (a power of two),
 * so the index is at most three quarters full; an index slot holds the entry's ring position + 1 in its low 24
 * bits and 8 bits of the identity as a tag, so a probe compares ring entries only on a tag match. Cost at full
 * size: 16 bytes of ring and 5⅓ of index per identity ({@link #BYTES_PER_IDENTITY}); a product with few events
 * has a table of 3.
 *
 * <p>Not thread-safe: guarded by the owning product's write lock.
 */
public final class IdentityTable {
    /** Bytes per remembered identity when the table is full (16 of ring, 5⅓ of index), rounded up. */
    public static final int BYTES_PER_IDENTITY = 22;

    /** {@link #check} result: never seen (or forgotten). */
    public static final int NEW = 0;
    /** {@link #check} result: seen, same payload. */
    public static final int DUPLICATE = 1;
    /** {@link #check} result: seen, other payload. */
    public static final int CONFLICT = 2;

    /** The smallest table. */
    public static final int INITIAL_CAPACITY = 3;
    /** The largest: ring positions must fit in the index's 24 bits. */
    public static final int MAX_CAPACITY = 3 << 21;
    private static final int POSITION_BITS = 24, POSITION_MASK = (1 << POSITION_BITS) - 1;

    /** Entry p: {@code ring[2p]} the identity, {@code ring[2p+1]} fingerprint (high 32) and seconds (low 32). */
    private long[] ring;
    private int capacity;
    /** 0: empty; else tag (high 8 bits) and ring position + 1 (low 24). */
    private int[] index;
    private int oldest;
    private int size;
    /** The greatest event time of any identity remembered so far, in seconds; −1 before the first. */
    private long newestSeconds = -1;
    /** The greatest event time of any identity forgotten, in seconds; −1 while none was. */
    private long forgottenSeconds = -1;

    public IdentityTable() {
        this(INITIAL_CAPACITY);
    }

    private IdentityTable(int capacity) {
        this.capacity = capacity;
        ring = new long[2 * capacity];
        index = new int[capacity / 3 * 4];
    }

    /** Identities remembered now. */
    public int size() {
        return size;
    }

    /** Entries the table has room for before it must grow or forget. */
    public int capacity() {
        return capacity;
    }

    /** True when the next insert needs room. */
    public boolean isFull() {
        return size == capacity;
    }

    /** The greatest event time remembered so far (seconds), or −1. */
    public long newestSeconds() {
        return newestSeconds;
    }

    /** The greatest event time of a forgotten identity (seconds), or −1 if none was forgotten. */
    public long forgottenSeconds() {
        return forgottenSeconds;
    }

    /** The event time of the oldest entry (seconds); the table is not empty. */
    public long oldestSeconds() {
        return ring[2 * oldest + 1] & 0xFFFF_FFFFL;
    }

    /** Whether the identity is remembered, and if so whether with the same payload. Changes nothing. */
    public int check(long identity, int fingerprint) {
        int mask = index.length - 1;
        int tag = tag(identity);
        for (int i = home(identity, mask); ; i = (i + 1) & mask) {
            int e = index[i];
            if (e == 0) {
                return NEW;
            }
            if (e >>> POSITION_BITS == tag) {
                int p = 2 * ((e & POSITION_MASK) - 1);
                if (ring[p] == identity) {
                    return (int) (ring[p + 1] >>> 32) == fingerprint ? DUPLICATE : CONFLICT;
                }
            }
        }
    }

    /** Remembers an identity the caller found {@link #NEW}; the table is not full. */
    public void insert(long identity, int fingerprint, long seconds) {
        assert size < capacity && seconds >= 0 && seconds <= 0xFFFF_FFFFL;
        int p = position(size);
        ring[2 * p] = identity;
        ring[2 * p + 1] = ((long) fingerprint << 32) | seconds;
        size++;
        place(p);
        if (seconds > newestSeconds) {
            newestSeconds = seconds;
        }
    }

    /** Forgets the oldest entry (the table is not empty), raising {@link #forgottenSeconds()} to its time. */
    public void forgetOldest() {
        assert size > 0;
        int p = oldest;
        long seconds = oldestSeconds();
        if (seconds > forgottenSeconds) {
            forgottenSeconds = seconds;
        }
        int mask = index.length - 1;
        int i = home(ring[2 * p], mask);
        while ((index[i] & POSITION_MASK) != p + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int k = home(ring[2 * ((index[j] & POSITION_MASK) - 1)], mask);
            boolean staysPut = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!staysPut) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        oldest = oldest + 1 == capacity ? 0 : oldest + 1;
        size--;
    }

    /** Moves the entries into a table of {@code newCapacity} (≥ size; 3 × a power of two), oldest first. */
    public void resize(int newCapacity) {
        assert newCapacity >= size && newCapacity <= MAX_CAPACITY && Integer.bitCount(newCapacity / 3) == 1;
        long[] moved = new long[2 * newCapacity];
        for (int n = 0; n < size; n++) {
            System.arraycopy(ring, 2 * position(n), moved, 2 * n, 2);
        }
        ring = moved;
        capacity = newCapacity;
        oldest = 0;
        index = new int[newCapacity / 3 * 4];
        for (int n = 0; n < size; n++) {
            place(n);
        }
    }

    /** Loads what {@link #entries()} gave, and the forgotten time, into an empty table (growing as needed). */
    public void restore(long[] pairs, long forgotten) {
        assert size == 0;
        int n = pairs.length / 2;
        int cap = INITIAL_CAPACITY;
        while (cap < n && cap < MAX_CAPACITY) {
            cap *= 2;
        }
        if (cap != capacity) {
            resize(cap);
        }
        for (int i = 0; i < n - cap; i++) { // more than the largest table holds: the oldest are forgotten
            forgotten = Math.max(forgotten, pairs[2 * i + 1] & 0xFFFF_FFFFL);
        }
        for (int i = Math.max(0, n - cap); i < n; i++) {
            long seconds = pairs[2 * i + 1] & 0xFFFF_FFFFL;
            if (check(pairs[2 * i], (int) (pairs[2 * i + 1] >>> 32)) == NEW) {
                insert(pairs[2 * i], (int) (pairs[2 * i + 1] >>> 32), seconds);
            }
        }
        forgottenSeconds = Math.max(forgotten, forgottenSeconds);
    }

    /** Every remembered identity as (identity, fingerprint &lt;&lt; 32 | seconds) pairs, oldest first (a copy). */
    public long[] entries() {
        long[] out = new long[size * 2];
        int first = Math.min(size, capacity - oldest); // from the oldest to the ring's end, then from its start
        System.arraycopy(ring, 2 * oldest, out, 0, 2 * first);
        System.arraycopy(ring, 0, out, 2 * first, 2 * (size - first));
        return out;
    }

    /** Ring position of the n-th oldest entry. */
    private int position(int n) {
        int p = oldest + n;
        return p >= capacity ? p - capacity : p;
    }

    private void place(int p) {
        int mask = index.length - 1;
        long identity = ring[2 * p];
        int i = home(identity, mask);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = tag(identity) << POSITION_BITS | (p + 1);
    }

    private static int home(long identity, int mask) {
        return (int) (identity ^ (identity >>> 32)) & mask;
    }

    private static int tag(long identity) {
        return (int) (identity >>> 56);
    }
}
