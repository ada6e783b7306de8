package dev.inventoryledger.core.internal;

/**
 * The one place where event identities are checked and remembered, per product, with the ledger's bound on
 * how many each product keeps. Every path that stands for an event (an applied event, a hold, a confirm, a
 * release) registers its identity here, so that the event's echo from Kafka is recognised as a duplicate.
 *
 * <p>Not thread-safe by itself: every method is called under the product's write lock (asserted).
 */
public final class IdentityRegister {
    /** {@link #seen} result: never seen. */
    public static final int NEW = IdentityTable.NEW;
    /** {@link #seen} result: seen, same payload. */
    public static final int DUPLICATE = IdentityTable.DUPLICATE;
    /** {@link #seen} result: seen, other payload. */
    public static final int CONFLICT = IdentityTable.CONFLICT;

    private final int bound;

    /** @param bound identities remembered per product (rounded up to a power of two), newest kept */
    public IdentityRegister(int bound) {
        this.bound = bound;
    }

    /** Whether the identity is remembered for the product, and with which payload. Changes nothing. */
    public int seen(ProductState ps, IdentityHash id, long fingerprint) {
        assert ps.isWriteLocked();
        IdentityTable t = ps.identitiesOrNull();
        return t == null ? NEW : t.check(id.hi, id.lo, fingerprint);
    }

    /** Remembers an identity the caller has just found {@link #NEW}, forgetting the product's oldest if full. */
    public void remember(ProductState ps, IdentityHash id, long fingerprint) {
        assert ps.isWriteLocked();
        assert seen(ps, id, fingerprint) == NEW : "remembered twice in " + ps.productId;
        ps.identities(bound).insert(id.hi, id.lo, fingerprint);
    }

    /**
     * Remembers the identity unless it is known already: check and insert in one step.
     *
     * @return what {@link #seen} said before: {@link #NEW} (now remembered), {@link #DUPLICATE} or {@link #CONFLICT}
     */
    public int register(ProductState ps, IdentityHash id, long fingerprint) {
        int seen = seen(ps, id, fingerprint);
        if (seen == NEW) {
            ps.identities(bound).insert(id.hi, id.lo, fingerprint);
        }
        return seen;
    }

    /** Loads a checkpoint's (hi, lo, fingerprint) triples, oldest first, into an empty product. Write lock held. */
    public void restore(ProductState ps, long[] triples) {
        assert ps.isWriteLocked();
        if (triples.length == 0) {
            return;
        }
        IdentityTable table = ps.identities(bound);
        for (int i = 0; i < triples.length; i += 3) {
            table.insert(triples[i], triples[i + 1], triples[i + 2]);
        }
    }
}
