package dev.inventoryledger.core.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one place where event identities are checked and remembered, per product, for the ledger's dedup horizon
 * under its global memory bound. Every path that stands for an event (an applied event, a hold, a confirm, a
 * release) registers its identity here with the event's time, so that the event's echo from Kafka is recognised
 * as a duplicate.
 *
 * <ul>
 *   <li><b>Horizon.</b> A product's clock is the newest event time it has seen: the history's own clock, never
 *       the wall clock, so an old history replays exactly as it did when new. An identity is kept from when it
 *       arrived on that clock (its event time, or the clock if later) until the clock is more than the horizon
 *       past it. Within the horizon every identity is remembered, however busy the product.</li>
 *   <li><b>Bound.</b> Tables grow only while the ledger remembers fewer identities in all than its bound; a
 *       full table that may not grow forgets its oldest early (counted).</li>
 *   <li><b>Bounded ahead.</b> A product's clock moves no further than the horizon ahead of the ledger's clock: one
 *       event with an event time years ahead cannot make a product forget everything it holds, and refuse
 *       what follows as late.</li>
 *   <li><b>Held back.</b> A feed reading several partitions side by side holds forgetting back to the oldest
 *       event time among those it has not read to their end ({@link #holdForgettingAt}): one partition read ahead
 *       of another moves a product's clock on, but not what it forgets.</li>
 *   <li><b>Late.</b> Each product knows the newest time it has forgotten an identity at: an event at or before
 *       it that is not remembered might be a redelivery of a forgotten one ({@link #late}), and is never counted
 *       silently (the applier refuses it, unless the ledger was told to apply such events). Such an event is older
 *       than the horizon: it arrived later than the horizon after its event time.</li>
 * </ul>
 *
 * <p>Not thread-safe by itself: every per-product method is called under the product's write lock (asserted);
 * the memory budget and the counters are atomic.
 */
public final class IdentityRegister {
    /** {@link #seen} result: never seen. */
    public static final int NEW = IdentityTable.NEW;
    /** {@link #seen} result: seen, same payload. */
    public static final int DUPLICATE = IdentityTable.DUPLICATE;
    /** {@link #seen} result: seen, other payload. */
    public static final int CONFLICT = IdentityTable.CONFLICT;

    private final long horizonSeconds;
    private final long bound;
    /** The ledger's clock: an event time further ahead of it than the horizon moves no product's clock further. */
    private final java.time.Clock clock;
    /** Table entries allocated over every product (their capacities): grows and shrinks with the tables. */
    private final AtomicLong allocated = new AtomicLong();
    /** Identities remembered over every product: read when a table would grow. */
    private final LongAdder remembered = new LongAdder();
    private final LongAdder forgottenByHorizon = new LongAdder(), forgottenEarly = new LongAdder();
    /**
     * A clock that holds forgetting back, in seconds (set by a feed: the oldest event time among the partitions
     * it has not yet read to their end), or {@link Long#MAX_VALUE} while none does. Written by the feed's thread,
     * read by every inserting thread: volatile.
     */
    private volatile long watermarkSeconds = Long.MAX_VALUE;

    /**
     * @param horizon      how long identities are remembered, in event time
     * @param bound   the most identities the ledger's products may remember in all: a table grows only below it
     * @param clock   the ledger's clock: a product's clock never runs more than the horizon ahead of it
     */
    public IdentityRegister(Duration horizon, long bound, java.time.Clock clock) {
        this.horizonSeconds = Math.max(1, horizon.getSeconds());
        this.bound = bound;
        this.clock = clock;
    }

    /** Whether the identity is remembered for the product, and with which payload. Changes nothing. */
    public int seen(ProductState ps, IdentityHash id, long fingerprint) {
        assert ps.isWriteLocked();
        IdentityTable t = ps.identitiesOrNull();
        return t == null ? NEW : t.check(id.lo, fold(fingerprint));
    }

    /**
     * Whether an event at {@code eventMicros} whose identity is not remembered might be a redelivery of one the
     * product forgot: its time is at or before the newest time forgotten.
     */
    public boolean late(ProductState ps, long eventMicros) {
        assert ps.isWriteLocked();
        IdentityTable t = ps.identitiesOrNull();
        return t != null && seconds(eventMicros) <= t.forgottenSeconds();
    }

    /** The newest event time the product forgot an identity of, or null if none. Write or read lock held. */
    public java.time.Instant forgottenUpTo(ProductState ps) {
        IdentityTable t = ps.identitiesOrNull();
        return t == null || t.forgottenSeconds() < 0 ? null : java.time.Instant.ofEpochSecond(t.forgottenSeconds());
    }

    /** The horizon, in seconds of event time. */
    public long horizonSeconds() {
        return horizonSeconds;
    }

    /** Remembers an identity the caller has just found {@link #NEW}, at its event time. */
    public void remember(ProductState ps, IdentityHash id, long fingerprint, long eventMicros) {
        assert ps.isWriteLocked();
        assert seen(ps, id, fingerprint) == NEW : "remembered twice in " + ps.productId;
        insert(ps, id.lo, fold(fingerprint), seconds(eventMicros));
    }

    /**
     * Remembers the identity unless it is known already: check and insert in one step.
     *
     * @return what {@link #seen} said before: {@link #NEW} (now remembered), {@link #DUPLICATE} or {@link #CONFLICT}
     */
    public int register(ProductState ps, IdentityHash id, long fingerprint, long eventMicros) {
        int seen = seen(ps, id, fingerprint);
        if (seen == NEW) {
            insert(ps, id.lo, fold(fingerprint), seconds(eventMicros));
        }
        return seen;
    }

    /**
     * Loads a checkpoint's identities into an empty product: (identity, fingerprint &lt;&lt; 32 | seconds) pairs,
     * oldest first, and the newest time it had forgotten (seconds, −1 for none). Write lock held.
     */
    public void restore(ProductState ps, long[] pairs, long forgottenSeconds) {
        assert ps.isWriteLocked();
        if (pairs.length == 0 && forgottenSeconds < 0) {
            return;
        }
        IdentityTable t = table(ps);
        int before = t.capacity(), had = t.size();
        t.restore(pairs, forgottenSeconds);
        allocated.addAndGet(t.capacity() - before);
        remembered.add(t.size() - had);
    }

    /**
     * Holds forgetting back to a horizon before this clock (null: no longer): a feed reading topics side by
     * side sets it to the oldest event time among the partitions it has not caught up with, so that a product
     * whose receipts were read ahead of its orders does not forget identities those orders may still repeat.
     */
    public void holdForgettingAt(java.time.Instant clock) {
        watermarkSeconds = clock == null ? Long.MAX_VALUE : Math.max(0, Math.min(0xFFFF_FFFFL, clock.getEpochSecond()));
    }

    /** Identities forgotten because the horizon passed them. */
    public long forgottenByHorizon() {
        return forgottenByHorizon.sum();
    }

    /** Identities forgotten before the horizon passed them, for the memory bound. */
    public long forgottenEarly() {
        return forgottenEarly.sum();
    }

    /** Table entries allocated over every product (memory ≈ this × 16 bytes of ring + a third as much index). */
    public long allocatedEntries() {
        return allocated.get();
    }

    // ------------------------------------------------------------------------------------------ steps

    /**
     * Remembers an identity as of when it reached the product on the history's clock: its event time, or the
     * product's clock if that is later (an event older than others already seen is kept for a horizon from its
     * arrival, so that a redelivery of it is found whatever time it carries).
     */
    private void insert(ProductState ps, long identity, int fingerprint, long eventSeconds) {
        IdentityTable t = table(ps);
        long seconds = Math.max(eventSeconds, t.newestSeconds());
        if (seconds > t.newestSeconds()) { // a time far in the future (a bad event_time) must not freeze the product
            seconds = Math.max(t.newestSeconds(), Math.min(seconds, clock.millis() / 1000 + horizonSeconds));
        }
        long cutoff = Math.min(seconds, watermarkSeconds) - horizonSeconds;
        int forgotten = 0;
        while (t.size() > 0 && t.oldestSeconds() < cutoff) {
            t.forgetOldest();
            forgotten++;
        }
        if (forgotten > 0) {
            forgottenByHorizon.add(forgotten);
            remembered.add(-forgotten);
            shrinkIfSparse(t);
        }
        if (t.isFull()) {
            int grown = t.capacity() * 2;
            if (grown <= IdentityTable.MAX_CAPACITY && remembered.sum() < bound) {
                allocated.addAndGet(grown - t.capacity());
                t.resize(grown);
            } else {
                t.forgetOldest(); // the bound, or the largest table: the oldest goes before its horizon
                forgottenEarly.increment();
                remembered.decrement();
            }
        }
        t.insert(identity, fingerprint, seconds);
        remembered.increment();
    }

    /** A table a quarter full after forgetting gives half its room back. */
    private void shrinkIfSparse(IdentityTable t) {
        int cap = t.capacity();
        if (cap > IdentityTable.INITIAL_CAPACITY && t.size() < cap / 4) {
            t.resize(cap / 2);
            allocated.addAndGet(-(cap - cap / 2));
        }
    }

    private IdentityTable table(ProductState ps) {
        IdentityTable t = ps.identitiesOrNull();
        if (t == null) {
            t = ps.newIdentities();
            allocated.addAndGet(t.capacity());
        }
        return t;
    }

    /** The 32 bits of a payload fingerprint a table keeps. */
    static int fold(long fingerprint) {
        return (int) (fingerprint ^ (fingerprint >>> 32));
    }

    /** Event time as the tables keep it: whole seconds since 1970, clamped to 32 unsigned bits. */
    static long seconds(long micros) {
        return Math.max(0, Math.min(0xFFFF_FFFFL, Math.floorDiv(micros, 1_000_000L)));
    }
}
