package dev.inventoryledger.core.internal;

/**
 * The identities one product remembers, newest last, bounded: a ring of (128-bit identity, 64-bit payload
 * fingerprint) entries with an open-addressing index over it. When the ring is full the oldest identity is
 * forgotten. Starts small and doubles up to its bound, so a product with few events costs little.
 *
 * <p>Cost: {@link #BYTES_PER_IDENTITY} bytes per remembered identity at full size (three longs in the ring,
 * two ints of index), plus about 100 bytes per product for the arrays' headers.
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

    private static final int INITIAL = 4;

    private final int bound;
    private long[] his;
    private long[] los;
    private long[] fingerprints;
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
        int cap = Math.min(INITIAL, this.bound);
        his = new long[cap];
        los = new long[cap];
        fingerprints = new long[cap];
        index = new int[cap * 2];
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

    /** Whether the identity is remembered, and if so whether with the same payload. Changes nothing. */
    public int check(long hi, long lo, long fingerprint) {
        int mask = index.length - 1;
        for (int i = home(lo, mask); ; i = (i + 1) & mask) {
            int e = index[i];
            if (e == 0) {
                return NEW;
            }
            int p = e - 1;
            if (his[p] == hi && los[p] == lo) {
                return fingerprints[p] == fingerprint ? DUPLICATE : CONFLICT;
            }
        }
    }

    /** Remembers a new identity (the caller has checked it is {@link #NEW}), forgetting the oldest if full. */
    public void insert(long hi, long lo, long fingerprint) {
        int cap = his.length;
        if (size == cap) {
            if (cap < bound) {
                grow(cap * 2);
                cap = his.length;
            } else {
                forgetOldest();
            }
        }
        int p = (oldest + size) & (cap - 1);
        his[p] = hi;
        los[p] = lo;
        fingerprints[p] = fingerprint;
        size++;
        place(p);
    }

    private void place(int p) {
        int mask = index.length - 1;
        int i = home(los[p], mask);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = p + 1;
    }

    private void forgetOldest() {
        int p = oldest;
        int mask = index.length - 1;
        int i = home(los[p], mask);
        while (index[i] != p + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int k = home(los[index[j] - 1], mask);
            boolean staysPut = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!staysPut) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        oldest = (oldest + 1) & (his.length - 1);
        size--;
    }

    private void grow(int cap) {
        long[] nh = new long[cap];
        long[] nl = new long[cap];
        long[] nf = new long[cap];
        int oldMask = his.length - 1;
        for (int n = 0; n < size; n++) {
            int p = (oldest + n) & oldMask;
            nh[n] = his[p];
            nl[n] = los[p];
            nf[n] = fingerprints[p];
        }
        his = nh;
        los = nl;
        fingerprints = nf;
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
