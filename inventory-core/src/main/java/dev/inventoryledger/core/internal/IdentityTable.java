package dev.inventoryledger.core.internal;

/**
 * The identities one product remembers, newest last, bounded: a ring of (128-bit identity, 64-bit payload
 * fingerprint) entries with an open-addressing index over it. When the ring is full the oldest identity is
 * forgotten. Starts small and doubles up to its bound, so a product with few events costs little.
 *
 * <p>Cost: {@link #BYTES_PER_IDENTITY} bytes per remembered identity at full size (three longs in the ring,
 * two ints of index), plus about 80 bytes per product for the object and its two arrays' headers.
 *
 * <p>Not thread-safe: guarded by the owning product's write lock.
 */
public final class IdentityTable {
    /** Bytes per remembered identity when the table is at its bound. */
    public static final int BYTES_PER_IDENTITY = 32;

    /** {@link #check} result: never seen. */
    public static final int NEW = 0;
    /** {@link #check} result: seen, same payload. */
    public static final int DUPLICATE = 1;
    /** {@link #check} result: seen, other payload. */
    public static final int CONFLICT = 2;

    private static final int INITIAL = 2;

    private final int bound;
    /** The ring: entry p is (hi, lo, fingerprint) at 3p, 3p+1, 3p+2. Capacity is {@code ring.length / 3}. */
    private long[] ring;
    private int capacity;
    /** Index slot → ring position + 1; 0 is empty. Length is twice the ring's, so load stays ≤ 0.5. */
    private int[] index;
    private int oldest;
    private int size;

    /** @param bound the most identities remembered; rounded up to a power of two */
    public IdentityTable(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be >= 1 but was " + bound);
        }
        this.bound = ceilPow2(bound);
        capacity = Math.min(INITIAL, this.bound);
        ring = new long[capacity * 3];
        index = new int[capacity * 2];
    }

    private static int ceilPow2(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** The most identities remembered. */
    public int bound() {
        return bound;
    }

    /** Identities remembered now. */
    public int size() {
        return size;
    }

    /** Every remembered identity as (hi, lo, fingerprint) triples, oldest first (a copy). */
    public long[] entries() {
        long[] out = new long[size * 3];
        int mask = capacity - 1;
        for (int n = 0; n < size; n++) {
            System.arraycopy(ring, 3 * ((oldest + n) & mask), out, 3 * n, 3);
        }
        return out;
    }

    /** Whether the identity is remembered, and if so whether with the same payload. Changes nothing. */
    public int check(long hi, long lo, long fingerprint) {
        int mask = index.length - 1;
        for (int i = home(lo, mask); ; i = (i + 1) & mask) {
            int e = index[i];
            if (e == 0) {
                return NEW;
            }
            int p = 3 * (e - 1);
            if (ring[p] == hi && ring[p + 1] == lo) {
                return ring[p + 2] == fingerprint ? DUPLICATE : CONFLICT;
            }
        }
    }

    /** Remembers a new identity (the caller has checked it is {@link #NEW}), forgetting the oldest if full. */
    public void insert(long hi, long lo, long fingerprint) {
        if (size == capacity) {
            if (capacity < bound) {
                grow(capacity * 2);
            } else {
                forgetOldest();
            }
        }
        int p = (oldest + size) & (capacity - 1);
        ring[3 * p] = hi;
        ring[3 * p + 1] = lo;
        ring[3 * p + 2] = fingerprint;
        size++;
        place(p);
    }

    private void place(int p) {
        int mask = index.length - 1;
        int i = home(ring[3 * p + 1], mask);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = p + 1;
    }

    private void forgetOldest() {
        int p = oldest;
        int mask = index.length - 1;
        int i = home(ring[3 * p + 1], mask);
        while (index[i] != p + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int k = home(ring[3 * (index[j] - 1) + 1], mask);
            boolean staysPut = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!staysPut) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        oldest = (oldest + 1) & (capacity - 1);
        size--;
    }

    private void grow(int cap) {
        long[] grown = new long[cap * 3];
        int oldMask = capacity - 1;
        for (int n = 0; n < size; n++) {
            System.arraycopy(ring, 3 * ((oldest + n) & oldMask), grown, 3 * n, 3);
        }
        ring = grown;
        capacity = cap;
        oldest = 0;
        index = new int[cap * 2];
        for (int n = 0; n < size; n++) {
            place(n);
        }
    }

    private static int home(long lo, int mask) {
        return (int) (lo ^ (lo >>> 32)) & mask;
    }
}
