package dev.inventoryledger.core.internal;

/**
 * A 128-bit hash of an event identity, computed over the chars of its fields without allocating. Two
 * independent 64-bit lanes: with 128 bits, the chance that two of ten million remembered identities collide
 * is about 10<sup>-25</sup>, so a new event is never mistaken for a duplicate in practice.
 *
 * <p>Not thread-safe: one instance per use, or per thread. The fields are the result.
 */
public final class IdentityHash {
    private static final long P1 = 0x9E3779B97F4A7C15L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0xFF51AFD7ED558CCDL;

    /** High lane of the last result. */
    public long hi;
    /** Low lane of the last result. */
    public long lo;

    /** Starts a new hash with a tag that separates kinds of identity. */
    public IdentityHash start(int tag) {
        hi = P1 ^ tag;
        lo = P2 + tag;
        return this;
    }

    /** Mixes in a string field, length first so that field boundaries count. A null mixes in as a marker. */
    public IdentityHash add(String s) {
        if (s == null) {
            return add(-1L);
        }
        int n = s.length();
        long h = hi, l = lo;
        h = (h ^ n) * P3;
        l = Long.rotateLeft(l + n * P4, 29) * P1;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            h = (h ^ c) * P3;
            l = Long.rotateLeft(l + c * P2, 31) * P1;
        }
        hi = h;
        lo = l;
        return this;
    }

    /** Mixes in a number. */
    public IdentityHash add(long v) {
        hi = Long.rotateLeft((hi ^ v) * P3, 27) * P1;
        lo = Long.rotateLeft(lo + v * P4, 33) * P2;
        return this;
    }

    /** Finishes: avalanches both lanes so that every input bit reaches every output bit. */
    public IdentityHash finish() {
        long h = mix(hi ^ Long.rotateLeft(lo, 17));
        long l = mix(lo + h * P1);
        hi = h;
        lo = l;
        return this;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
