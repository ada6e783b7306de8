package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.StockAlert;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a storefront does with a hold once it has it: confirm it (wholly, in part, or after it lapsed, if its
 * units are still sellable), release it, extend it, and the sweep that lapses every hold that is due. Each
 * call acts on all of a reservation's lines at once, under every one of its products' write locks, registers
 * the identity of each event it stands for, and tells listeners after the locks.
 *
 * <p>Thread-safe. A hold ends exactly once; a later call reports how it ended and changes nothing.
 */
public final class HoldActions extends LedgerOperation {
    private enum Action { CONFIRM, RELEASE, EXTEND }


    public HoldActions(Services services) {
        super(services);
    }

    /** Confirms every active line as {@code orderId}, or, if the hold lapsed, re-takes its units if it can. */
    public HoldOutcome confirm(String reservationId, String orderId) {
        return act(reservationId, Action.CONFIRM, orderId, null, 0);
    }

    /** Confirms the named part (lines at fixed warehouses, summed per position) as {@code orderId}. */
    public HoldOutcome confirmPart(String reservationId, String orderId, List<ReservationLine> part) {
        return act(reservationId, Action.CONFIRM, orderId, PositionUnits.of(part), 0);
    }

    /** Releases every active line. */
    public HoldOutcome release(String reservationId) {
        return act(reservationId, Action.RELEASE, null, null, 0);
    }

    /** Releases the named part (lines at fixed warehouses, summed per position); the rest stays held. */
    public HoldOutcome releasePart(String reservationId, List<ReservationLine> part) {
        return act(reservationId, Action.RELEASE, null, PositionUnits.of(part), 0);
    }

    /** Moves every active line's expiry to {@code expiresAtNanos}, if that is later. */
    public HoldOutcome extend(String reservationId, long expiresAtNanos) {
        return act(reservationId, Action.EXTEND, null, null, expiresAtNanos);
    }

    /** Lapses every hold whose expiry the clock has reached; returns how many lapsed. */
    public int expireDue() {
        long now = nowNanos();
        int lapsed = 0;
        for (ProductState ps : products.all()) {
            if (ps.nextExpiryNanos <= now) {
                lapsed += holds.lockAndLapseDue(ps, now);
            }
        }
        return lapsed;
    }

    // ------------------------------------------------------------------------------------------ the act

    /** One call's time and what it has to tell. Confined to the calling thread. */
    private static final class Act {
        final Instant now;
        final long micros;
        final List<InventoryEvent> events; // null when nobody listens
        List<StockAlert> alerts;

        Act(Instant now, List<InventoryEvent> events) {
            this.now = now;
            this.micros = Times.micros(now);
            this.events = events;
        }
    }

    private HoldOutcome act(String reservationId, Action action, String orderId, Map<List<String>, Long> part,
                            long newExpiry) {
        Reservation r = reservations.get(reservationId);
        if (r == null) {
            return HoldOutcome.UNKNOWN;
        }
        Act a = new Act(clock.instant(), notifier.localEvents());
        HoldOutcome outcome;
        while (true) {
            HoldLine[] lines = r.lines();
            ProductState[] locked = productsOf(lines);
            long[] stamps = ProductDirectory.writeLockAll(locked);
            try {
                if (r.lines() != lines) {
                    continue; // a line was added meanwhile, perhaps on a product not locked: start again
                }
                for (ProductState ps : locked) {
                    holds.lapseDue(ps, Times.nanos(a.now));
                }
                if (!anyActive(lines)) {
                    outcome = action == Action.CONFIRM && part == null ? confirmLapsed(lines, orderId, a)
                            : endedAs(lines, orderId);
                } else {
                    outcome = switch (action) {
                        case EXTEND -> extendLines(lines, newExpiry, a);
                        case RELEASE -> releaseLines(lines, units(r, lines, part), a);
                        case CONFIRM -> confirmLines(r, lines, orderId, part, a);
                    };
                }
                break;
            } finally {
                ProductDirectory.unlockAllWrite(locked, stamps);
            }
        }
        count(outcome);
        notifier.tell(a.alerts); // nothing to tell after an ORDER_CONFLICT: it changed nothing
        notifier.tellLocal(a.events);
        return outcome;
    }

    private void count(HoldOutcome outcome) {
        switch (outcome) {
            case CONFIRMED -> metrics.reservation(LedgerMetrics.Reservation.CONFIRMED);
            case CONFIRMED_AFTER_EXPIRY -> metrics.reservation(LedgerMetrics.Reservation.CONFIRMED_AFTER_EXPIRY);
            case RELEASED -> metrics.reservation(LedgerMetrics.Reservation.RELEASED);
            case EXTENDED -> metrics.reservation(LedgerMetrics.Reservation.EXTENDED);
            default -> {
            }
        }
    }

    /** Renews the active lines; never earlier than they were (peers only lengthen a hold). Locks held. */
    private HoldOutcome extendLines(HoldLine[] lines, long newExpiry, Act a) {
        for (HoldLine l : lines) {
            if (l.state == HoldLine.ACTIVE && newExpiry > l.expiresAtNanos) {
                holds.extend(l, newExpiry);
                l.product.touch(l.slot, a.micros);
                if (!heldKnownWithOtherQuantity(l)) { // after a partial confirm peers hold none of it
                    Notifier.record(a.events, l, EventKind.RESERVATION_HELD, l.quantity, null, a.now,
                            Times.instantOfNanos(newExpiry));
                }
            }
        }
        return HoldOutcome.EXTENDED;
    }

    /** Releases {@code releasing[i]} units of each line (all it holds, or part). Locks held. */
    private HoldOutcome releaseLines(HoldLine[] lines, long[] releasing, Act a) {
        for (int i = 0; i < lines.length; i++) {
            HoldLine l = lines[i];
            long q = releasing[i];
            if (q == 0) {
                continue;
            }
            standForRelease(l, q, null, a);
            if (q == l.units()) {
                holds.release(l);
            } else {
                holds.releasePart(l, q);
            }
            l.product.touch(l.slot, a.micros);
        }
        return HoldOutcome.RELEASED;
    }

    /** Confirms all active lines, or the part named: all or nothing. Locks held. */
    private HoldOutcome confirmLines(Reservation r, HoldLine[] lines, String orderId, Map<List<String>, Long> part,
                                     Act a) {
        long[] confirming = units(r, lines, part);
        IdentityHash[] orders = new IdentityHash[lines.length];
        for (int i = 0; i < lines.length; i++) { // all or nothing: check first
            if (confirming[i] > 0) {
                orders[i] = Identities.order(orderId, lines[i].productId(), lines[i].warehouseId());
                if (!canSell(lines[i], confirming[i], orders[i])) {
                    return HoldOutcome.ORDER_CONFLICT;
                }
            }
        }
        for (int i = 0; i < lines.length; i++) {
            HoldLine l = lines[i];
            long q = confirming[i];
            if (q == 0) {
                continue;
            }
            // The history says a confirm as any reader sums it: the order (unless it was applied already, as an
            // event from its own producer) and the released of the units it took from the hold.
            if (orderIsNew(l, q, orders[i])) { // all the line holds: naming it; part: plain
                Notifier.record(a.events, l, EventKind.ORDER_PLACED, q, orderId, a.now, null, q == l.units());
            }
            standForRelease(l, q, orderId, a);
            sell(l, q, orders[i], a); // before the line changes: its payload depends on whether q is all it holds
            if (q == l.units()) {
                holds.confirm(l, orderId);
            } else { // part of the line ships now; the rest stays held
                holds.confirmPart(l, q);
            }
            l.product.touch(l.slot, a.micros);
        }
        return HoldOutcome.CONFIRMED;
    }

    /**
     * A confirm of a reservation none of whose lines is active: if every line lapsed and can still become the
     * order, it does (CONFIRMED_AFTER_EXPIRY); otherwise how the hold ended. Locks held.
     */
    private HoldOutcome confirmLapsed(HoldLine[] lines, String orderId, Act a) {
        if (!lateConfirmable(lines, orderId)) {
            return endedAs(lines, orderId);
        }
        for (HoldLine l : lines) {
            IdentityHash order = Identities.order(orderId, l.productId(), l.warehouseId());
            if (orderIsNew(l, l.units(), order)) { // else peers have the order and no hold
                // No released beside it: the lapse's ended the hold (written by whoever tells lapses)
                Notifier.record(a.events, l, EventKind.ORDER_PLACED, l.units(), orderId, a.now, null);
            }
            sell(l, l.units(), order, a);
            holds.confirmLapsed(l, orderId);
            l.product.touch(l.slot, a.micros);
        }
        return HoldOutcome.CONFIRMED_AFTER_EXPIRY;
    }

    /**
     * How many units of each line to confirm or release, by index into {@code lines} (0: none): all that every
     * active line holds, or the part named (refused, changing nothing, if it names more than is held).
     */
    private static long[] units(Reservation r, HoldLine[] lines, Map<List<String>, Long> part) {
        long[] out = new long[lines.length];
        if (part == null) {
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].state == HoldLine.ACTIVE) {
                    out[i] = lines[i].units();
                }
            }
            return out;
        }
        for (Map.Entry<List<String>, Long> p : part.entrySet()) {
            HoldLine l = r.line(p.getKey().get(0), p.getKey().get(1));
            long held = l == null || l.state != HoldLine.ACTIVE ? 0 : l.units();
            if (held < p.getValue()) {
                throw new InvalidEventException("quantity", p.getValue(), "quantity " + p.getValue() + " of product "
                        + p.getKey().get(0) + " at " + p.getKey().get(1) + " is more than reservation " + r.id
                        + " holds there (" + held + ")");
            }
            out[Arrays.asList(lines).indexOf(l)] = p.getValue();
        }
        return out;
    }

    /**
     * Whether every line of a lapsed reservation can still become the order: all expired (none released or
     * sold), each position still sellable for it, and the order id free. Locks held.
     */
    private boolean lateConfirmable(HoldLine[] lines, String orderId) {
        if (lines.length == 0) {
            return false;
        }
        for (HoldLine l : lines) {
            if (l.state != HoldLine.EXPIRED || l.slot.sellable() < l.units()
                    || !canSell(l, l.units(), Identities.order(orderId, l.productId(), l.warehouseId()))) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ identities

    /**
     * Takes {@code q} units of a line's position as the order whose identity is {@code id} (available −= q,
     * identity registered), unless that order was already applied as an event. {@link #canSell} said yes.
     */
    private void sell(HoldLine l, long q, IdentityHash id, Act a) {
        ProductState ps = l.product;
        if (identities.register(ps, id, orderFingerprint(l, q), a.micros) == IdentityRegister.NEW) {
            long before = l.slot.available;
            ps.changeAvailable(l.slot, -q); // canSell checked that this does not overflow
            a.alerts = notifier.crossings(ps, l.slot, before, l.slot.available, a.now, a.alerts);
        } // else the order was applied as an event already: only the hold ends
    }

    /**
     * Whether {@code q} units of a line can become the order {@code id}: the order is new at that position,
     * or known with this very payload or as a plain order of as many units (then only the hold ends); and
     * available cannot overflow.
     */
    private boolean canSell(HoldLine l, long q, IdentityHash id) {
        int seen = identities.seen(l.product, id, orderFingerprint(l, q));
        if (seen == IdentityRegister.CONFLICT
                && identities.seen(l.product, id, Identities.fingerprint(q, null)) != IdentityRegister.DUPLICATE) {
            return false;
        }
        return seen != IdentityRegister.NEW || l.slot.available - q <= l.slot.available;
    }

    /**
     * The payload of the order a confirm of {@code q} units of a line writes: naming the reservation when it takes
     * all the line holds (any replica's rule for such an order ends the line, as this confirm does), plain when
     * it takes part (the released beside it gives back those units alone, which is what a replica must do).
     */
    private static long orderFingerprint(HoldLine l, long q) {
        return Identities.fingerprint(q, q == l.units() ? l.reservation.id : null);
    }

    /** Whether the order whose identity is {@code id}, for {@code q} units of a line, is not yet known here. */
    private boolean orderIsNew(HoldLine l, long q, IdentityHash id) {
        return identities.seen(l.product, id, orderFingerprint(l, q)) == IdentityRegister.NEW;
    }

    /**
     * Registers, and records for the listeners, the {@code released} event of {@code q} units of a line that
     * an in-process step stands for ({@code forOrder}: a confirm whose order was applied before as a plain
     * event). The line's first release carries the plain identity (kind, reservation, product, warehouse),
     * as the article's events do; a later one, whose plain identity is taken, carries an {@code event_id} of
     * its own, so that every instance counts each release once. Called before the line changes.
     */
    private void standForRelease(HoldLine l, long q, String forOrder, Act a) {
        InventoryEvent e = InventoryEvent.reservationReleased(l.reservation.id, l.productId(), l.warehouseId(), q,
                a.now);
        if (l.released > 0 || identities.seen(l.product, Identities.of(e), Identities.fingerprint(e))
                != IdentityRegister.NEW) {
            String what = forOrder == null ? "released-" + Slot.saturatedAdd(l.released, q) : "released-for-" + forOrder;
            e = e.withEventId(Identities.releaseEventId(l.reservation.id, l.warehouseId(), what));
        }
        identities.register(l.product, Identities.of(e), Identities.fingerprint(e), a.micros);
        if (a.events != null) {
            a.events.add(e);
        }
    }

    /**
     * Whether the line's {@code held} identity is remembered with another quantity: part of it was confirmed
     * since, and a renewed {@code held} would be a conflict everywhere.
     */
    private boolean heldKnownWithOtherQuantity(HoldLine l) {
        IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, l.reservation.id, l.productId(),
                l.warehouseId());
        return identities.seen(l.product, id, Identities.fingerprint(l.quantity, null)) == IdentityRegister.CONFLICT;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static boolean anyActive(HoldLine[] lines) {
        for (HoldLine l : lines) {
            if (l.state == HoldLine.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    /**
     * How a reservation none of whose lines is active had ended. A line released by the history while the order
     * {@code orderId} (if not null) is known at its position was confirmed as that order by another instance:
     * the history writes a confirm as the order and the {@code released} of its units.
     */
    private HoldOutcome endedAs(HoldLine[] lines, String orderId) {
        HoldOutcome outcome = HoldOutcome.UNKNOWN;
        for (HoldLine l : lines) {
            if (l.sold() || (orderId != null && l.state == HoldLine.RELEASED && identities.seen(l.product,
                    Identities.order(orderId, l.productId(), l.warehouseId()), 0) != IdentityRegister.NEW)) {
                return HoldOutcome.ALREADY_CONFIRMED;
            }
            if (l.state == HoldLine.RELEASED || l.state == HoldLine.PRE_RELEASED) {
                outcome = HoldOutcome.ALREADY_RELEASED;
            } else if (l.state == HoldLine.EXPIRED && outcome == HoldOutcome.UNKNOWN) {
                outcome = HoldOutcome.EXPIRED;
            }
        }
        return outcome;
    }

    /** The distinct products of the lines, in lock order. */
    private static ProductState[] productsOf(HoldLine[] lines) {
        if (lines.length == 1) {
            return new ProductState[]{lines[0].product};
        }
        ProductState[] ps = new ProductState[lines.length];
        int n = 0;
        outer:
        for (HoldLine l : lines) {
            for (int i = 0; i < n; i++) {
                if (ps[i] == l.product) {
                    continue outer;
                }
            }
            ps[n++] = l.product;
        }
        ps = Arrays.copyOf(ps, n);
        Arrays.sort(ps, ProductDirectory.LOCK_ORDER);
        return ps;
    }
}
