package dev.inventoryledger.core.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * The holds: the only code that changes a hold line's state, its quantities and the held counter of its
 * position (the lines themselves are found and made in the {@link ReservationIndex}, which this settles). Every change goes through {@link #move}, which asserts that the transition is
 * legal and that the line's product is write-locked; a line ends exactly once.
 *
 * <p>Legal transitions ({@link HoldLine}'s states):
 * <pre>
 *   NEW          → ACTIVE (held) · PRE_RELEASED (released first) · PRE_CONSUMED (consuming order first)
 *   ACTIVE       → CONFIRMED · CONSUMED · RELEASED · EXPIRED
 *   EXPIRED      → CONFIRMED (late confirm) · CONSUMED (an order naming it after it lapsed)
 *   PRE_RELEASED → ACTIVE (its held arrives, for more than was released) · RELEASED (for no more)
 *                  · PRE_CONSUMED (a consuming order arrives too)
 *   PRE_CONSUMED → CONSUMED (its held arrives)
 * </pre>
 *
 * <p>Releases (the README, "What the core does"): a line counts what its releases gave back
 * ({@link HoldLine#released}), whatever order they come in. A release of fewer units than the line holds leaves
 * the rest held, with the same expiry; one of as many or more ends it; once the line's held quantity is known,
 * releases that add up to more than it are an over-release, reported once (the extra cannot be un-held).
 *
 * <p>Concurrency: each method is called under the write lock of the line's product (asserted); the index
 * is concurrent, and {@link #activeHolds} is a {@link LongAdder} read racily by metrics.
 */
public final class HoldBook {
    private final ReservationIndex index;
    private final LedgerMetrics metrics;
    /** Lines now active, ledger-wide (lapsed ones leave when they are lapsed). */
    private final LongAdder activeHolds = new LongAdder();

    public HoldBook(ReservationIndex index, LedgerMetrics metrics) {
        this.index = index;
        this.metrics = metrics;
    }

    /** Lines now active, ledger-wide. */
    public long activeHolds() {
        return activeHolds.sum();
    }

    // ------------------------------------------------------------------------------------------ in process

    /** NEW → ACTIVE: holds {@code q} units at the line's position until {@code expiresAtNanos}. */
    public void hold(HoldLine l, long q, long expiresAtNanos) {
        l.quantity = q;
        activate(l, expiresAtNanos);
    }

    /** ACTIVE → CONFIRMED: the whole line became {@code orderId}. */
    public void confirm(HoldLine l, String orderId) {
        l.orderId = orderId;
        end(l, HoldLine.CONFIRMED);
    }

    /**
     * An active line gives {@code q} (less than it holds) to an order; the rest stays held. Counted as released,
     * as the history says it: the order beside a {@code released} of its units.
     */
    public void confirmPart(HoldLine l, long q) {
        assert l.product.isWriteLocked() && l.state == HoldLine.ACTIVE && 0 < q && q < l.units();
        l.released += q;
        l.product.changeHeld(l.slot, -q);
    }

    /** EXPIRED → CONFIRMED: a lapsed line sold after all (its units were given back when it lapsed). */
    public void confirmLapsed(HoldLine l, String orderId) {
        l.orderId = orderId;
        move(l, HoldLine.CONFIRMED);
    }

    /** ACTIVE → RELEASED: all the line still holds is released. */
    public void release(HoldLine l) {
        end(l, HoldLine.RELEASED);
        l.released = l.quantity;
    }

    /** An active line releases {@code q} units, fewer than it holds; the rest stays held, with its expiry. */
    public void releasePart(HoldLine l, long q) {
        assert l.product.isWriteLocked() && l.state == HoldLine.ACTIVE && 0 < q && q < l.units();
        l.released += q;
        l.product.changeHeld(l.slot, -q);
    }

    /** Moves an active line's expiry. */
    public void extend(HoldLine l, long expiresAtNanos) {
        assert l.product.isWriteLocked() && l.state == HoldLine.ACTIVE;
        l.product.unschedule(l); // before the key changes: the heap orders by it
        l.expiresAtNanos = expiresAtNanos;
        if (expiresAtNanos != HoldLine.NEVER) {
            l.product.scheduleExpiry(l);
        }
    }

    // ------------------------------------------------------------------------------------------ from events

    /**
     * An order event naming the line's reservation: an active or lapsed line is consumed by it; a line not yet
     * held waits for its held, consumed (the two then net to zero); an ended line stays as it is.
     */
    public void consumedByOrder(HoldLine l, String orderId) {
        switch (l.state) {
            case HoldLine.ACTIVE -> {
                l.orderId = orderId;
                end(l, HoldLine.CONSUMED);
            }
            case HoldLine.EXPIRED -> { // sold after it lapsed: held was given back then; it ends once
                l.orderId = orderId;
                move(l, HoldLine.CONSUMED);
            }
            case HoldLine.NEW -> {
                l.orderId = orderId;
                move(l, HoldLine.PRE_CONSUMED);
                index.settle(l.reservation, -1);
            }
            case HoldLine.PRE_RELEASED -> { // released in part or in whole, then consumed: nothing more to hold
                l.orderId = orderId;
                move(l, HoldLine.PRE_CONSUMED);
            }
            default -> {
            }
        }
    }

    /**
     * A {@code held} event for a line that has none yet: holds it until {@code expiresAtNanos}, less what
     * releases that came first gave back; a line released in full or consumed first ends at once.
     *
     * @return true if releases that came first add up to more than {@code q}: an over-release
     */
    public boolean heldArrived(HoldLine l, long q, long expiresAtNanos) {
        l.quantity = q;
        switch (l.state) {
            case HoldLine.PRE_RELEASED -> {
                if (l.released < q) {
                    activate(l, expiresAtNanos); // the release came first and gave back part of it
                } else {
                    move(l, HoldLine.RELEASED);
                }
            }
            case HoldLine.PRE_CONSUMED -> move(l, HoldLine.CONSUMED);
            default -> activate(l, expiresAtNanos);
        }
        return l.released > q;
    }

    /**
     * A {@code released} event of {@code q} units: an active line gives them back (ending when that is all
     * it holds); a line not yet held waits for its held; an ended line only counts them (a lapsed line apart
     * from its units, which a late confirm may still sell: such a release is the history's word that it lapsed).
     *
     * @return true if this release makes the line's releases add up to more than its known held quantity for
     *         the first time: an over-release
     */
    public boolean releasedArrived(HoldLine l, long q) {
        boolean heldKnown = l.state != HoldLine.NEW && l.state != HoldLine.PRE_RELEASED
                && l.state != HoldLine.PRE_CONSUMED;
        boolean wasOver = heldKnown && l.releasedInAll() > l.quantity;
        if (l.state == HoldLine.ACTIVE) {
            if (q >= l.units()) {
                end(l, HoldLine.RELEASED);
                metrics.reservation(LedgerMetrics.Reservation.RELEASED);
            } else {
                l.product.changeHeld(l.slot, -q);
            }
        } else if (l.state == HoldLine.NEW) {
            move(l, HoldLine.PRE_RELEASED);
            index.settle(l.reservation, -1); // waits for its held, with which it nets
        }
        if (l.state == HoldLine.EXPIRED) { // the history saying it lapsed: it keeps its units for a late confirm
            l.releasedAfterLapse = (int) Math.min(Integer.MAX_VALUE, Slot.saturatedAdd(l.releasedAfterLapse, q));
        } else {
            l.released = Slot.saturatedAdd(l.released, q);
        }
        return heldKnown && l.releasedInAll() > l.quantity && !wasOver;
    }

    // ------------------------------------------------------------------------------------------ expiry

    /** Lapses the product's lines whose expiry is at or before {@code nowNanos}. Write lock held. */
    public int lapseDue(ProductState ps, long nowNanos) {
        int lapsed = 0;
        HoldLine due;
        while ((due = ps.pollDue(nowNanos)) != null) {
            end(due, HoldLine.EXPIRED);
            metrics.reservation(LedgerMetrics.Reservation.EXPIRED);
            lapsed++;
        }
        return lapsed;
    }

    /** As {@link #lapseDue}, taking the product's write lock. No lock of this product held. */
    public int lockAndLapseDue(ProductState ps, long nowNanos) {
        long stamp = ps.writeLock();
        try {
            return lapseDue(ps, nowNanos);
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    /** A reservation from a checkpoint, into an empty book. */
    public Reservation restoreReservation(String reservationId) {
        Reservation r = index.claim(reservationId);
        if (r == null) {
            throw new IllegalStateException("reservation " + reservationId + " twice in one checkpoint");
        }
        return r;
    }

    /**
     * A line from a checkpoint. Its position's held counter was restored with the position, so an active line
     * only rejoins the expiry order. The product's write lock held.
     */
    public void restoreLine(Reservation r, ProductState ps, Slot s, byte state, long quantity, long released,
                            long expiresAtNanos, String orderId) {
        HoldLine l = index.addLine(r, ps, s);
        l.quantity = quantity;
        l.released = released;
        l.expiresAtNanos = expiresAtNanos;
        l.orderId = orderId;
        l.state = state;
        if (state == HoldLine.ACTIVE) {
            if (expiresAtNanos != HoldLine.NEVER) {
                ps.scheduleExpiry(l);
            }
            activeHolds.increment();
        } else {
            index.settle(r, -1);
        }
    }

    // ------------------------------------------------------------------------------------------ transitions

    /** Makes a line active: its units (quantity − released) join the position's held counter. */
    private void activate(HoldLine l, long expiresAtNanos) {
        move(l, HoldLine.ACTIVE);
        l.expiresAtNanos = expiresAtNanos;
        l.product.changeHeld(l.slot, l.units());
        if (expiresAtNanos != HoldLine.NEVER) {
            l.product.scheduleExpiry(l);
        }
        activeHolds.increment();
    }

    /** Ends an active line: what it holds leaves the position's held counter and the expiry order. */
    private void end(HoldLine l, byte how) {
        long units = l.units();
        move(l, how);
        l.product.unschedule(l);
        l.product.changeHeld(l.slot, -units);
        activeHolds.decrement();
        index.settle(l.reservation, -1);
    }

    /** The one place a line's state changes. */
    private static void move(HoldLine l, byte to) {
        assert l.product.isWriteLocked() : "hold line changed without its product's write lock";
        assert legal(l.state, to) : "illegal hold transition " + l.state + " -> " + to + " (" + l.reservation.id
                + ", " + l.product.productId + "@" + l.slot.warehouseId + ")";
        l.state = to;
    }

    private static boolean legal(byte from, byte to) {
        return switch (from) {
            case HoldLine.NEW -> to == HoldLine.ACTIVE || to == HoldLine.PRE_RELEASED || to == HoldLine.PRE_CONSUMED;
            case HoldLine.ACTIVE -> to == HoldLine.CONFIRMED || to == HoldLine.CONSUMED || to == HoldLine.RELEASED
                    || to == HoldLine.EXPIRED;
            case HoldLine.EXPIRED -> to == HoldLine.CONFIRMED || to == HoldLine.CONSUMED;
            case HoldLine.PRE_RELEASED -> to == HoldLine.RELEASED || to == HoldLine.ACTIVE || to == HoldLine.PRE_CONSUMED;
            case HoldLine.PRE_CONSUMED -> to == HoldLine.CONSUMED;
            default -> false;
        };
    }
}
