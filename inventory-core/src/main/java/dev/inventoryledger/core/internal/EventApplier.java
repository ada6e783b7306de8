package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.StockAlert;

import java.time.Duration;
import java.util.List;

/**
 * Applies one event, exactly once: finds its product, checks its identity, changes the position (and the
 * hold it names, through the {@link HoldBook}), remembers the identity, and tells the listeners after the lock.
 * A refused event (an overflow) changes nothing.
 *
 * <p>Thread-safe: each event is applied under its one product's write lock.
 */
public final class EventApplier extends LedgerOperation {
    private final Duration defaultHoldTtl; // null: a held without expires_at never lapses
    private final boolean applyLate;

    public EventApplier(Services services, Duration defaultHoldTtl, boolean applyLate) {
        super(services);
        this.defaultHoldTtl = defaultHoldTtl;
        this.applyLate = applyLate;
    }

    /** What applying an event did: {@link ApplyOutcome}'s, and an applied over-release. */
    private static final int APPLIED = 0, DUPLICATE = 1, CONFLICT = 2, LATE = 3, OVER_RELEASED = 4;

    /** Applies the event; see {@code InventoryLedger.apply}. */
    public ApplyOutcome apply(InventoryEvent event) {
        ProductState ps = products.product(event.productId());
        IdentityHash id = Identities.of(event);
        long fingerprint = Identities.fingerprint(event);
        long micros = Times.micros(event.eventTime());
        List<StockAlert> alerts = null;
        int did = APPLIED;
        boolean late = false;
        int copy;
        long stamp = ps.writeLock();
        try {
            int seen = identities.seen(ps, id, fingerprint);
            if (seen != IdentityRegister.NEW) {
                did = seen == IdentityRegister.CONFLICT ? CONFLICT : extendsHold(ps, event, micros) ? APPLIED : DUPLICATE;
            } else if (isEchoOfConfirm(ps, event)) {
                did = DUPLICATE; // its identity was forgotten, or it carries an event_id
            } else if ((copy = knownHold(ps, event)) != APPLIED) {
                did = copy == CONFLICT ? CONFLICT : extendsHold(ps, event, micros) ? APPLIED : DUPLICATE;
            } else if ((late = identities.late(ps, micros)) && !applyLate) {
                did = LATE; // it may be a redelivery of an identity forgotten since: never counted silently
            } else if (event.kind().isReservation()) {
                did = applyReservation(ps, event, micros);
            } else {
                alerts = applyStock(ps, event, micros);
            }
            if ((did == APPLIED || did == OVER_RELEASED) && seen == IdentityRegister.NEW) {
                identities.remember(ps, id, fingerprint, micros);
            }
        } catch (InvalidEventException refused) {
            metrics.event(event.kind(), LedgerMetrics.REFUSED);
            throw refused;
        } finally {
            ps.unlockWrite(stamp);
        }
        // an over-release is applied (the hold ended) and reported as a conflict: the extra cannot be un-held
        ApplyOutcome outcome = did == APPLIED ? ApplyOutcome.APPLIED : did == DUPLICATE ? ApplyOutcome.DUPLICATE
                : did == LATE ? ApplyOutcome.LATE : ApplyOutcome.CONFLICT;
        metrics.event(event.kind(), late ? LedgerMetrics.LATE : outcome.ordinal());
        notifier.tell(alerts);
        return outcome;
    }

    /** An order naming a reservation whose line this ledger confirmed as that very order. Write lock held. */
    private boolean isEchoOfConfirm(ProductState ps, InventoryEvent e) {
        if (e.kind() != EventKind.ORDER_PLACED || e.reservationId() == null) {
            return false;
        }
        Slot s = ps.find(e.warehouseId());
        HoldLine line = s == null ? null : reservations.findLine(e.reservationId(), ps, s);
        return line != null && line.state == HoldLine.CONFIRMED && e.id().equals(line.orderId)
                && e.quantity() == line.units();
    }

    /** Orders, cancellations, returns, receipts. Write lock held; throws before changing anything. */
    private List<StockAlert> applyStock(ProductState ps, InventoryEvent e, long micros) {
        Slot existing = ps.find(e.warehouseId());
        long before = existing == null ? 0 : existing.available;
        long delta = e.availableDelta();
        long after = addChecked(before, delta, "available", e);
        Slot s = existing != null ? existing : products.slot(ps, e.warehouseId());
        ps.changeAvailable(s, delta);
        ps.touch(s, micros);
        if (e.kind() == EventKind.ORDER_PLACED && e.reservationId() != null) {
            holds.consumedByOrder(reservations.lineFor(e.reservationId(), ps, s), e.id());
        }
        return notifier.crossings(ps, s, before, after, e.eventTime(), null);
    }

    /**
     * For a {@code held} event whose hold exists already (its identity was forgotten, or this copy carries an
     * {@code event_id}): {@link #CONFLICT} if the quantities differ, else {@link #DUPLICATE} (the first stands);
     * {@link #APPLIED} if the event is not such a copy. Write lock held.
     */
    private int knownHold(ProductState ps, InventoryEvent e) {
        if (e.kind() != EventKind.RESERVATION_HELD) {
            return APPLIED;
        }
        Slot existing = ps.find(e.warehouseId());
        HoldLine line = existing == null ? null : reservations.findLine(e.reservationId(), ps, existing);
        if (line == null || line.state == HoldLine.PRE_RELEASED || line.state == HoldLine.PRE_CONSUMED
                || line.state == HoldLine.NEW) {
            return APPLIED;
        }
        return line.quantity != e.quantity() ? CONFLICT : DUPLICATE;
    }

    /**
     * Held and released events, new ones ({@link #knownHold} said so): {@link #APPLIED} or {@link #OVER_RELEASED}.
     * Write lock held; throws before changing anything.
     */
    private int applyReservation(ProductState ps, InventoryEvent e, long micros) {
        if (e.kind() == EventKind.RESERVATION_RELEASED) {
            long now = nowNanos();
            if (ps.nextExpiryNanos <= now) {
                holds.lapseDue(ps, now); // a release that says a hold lapsed finds it lapsed, as it is by now
            }
        }
        Slot existing = ps.find(e.warehouseId());
        HoldLine line = existing == null ? null : reservations.findLine(e.reservationId(), ps, existing);
        boolean held = e.kind() == EventKind.RESERVATION_HELD;
        if (held) {
            addChecked(existing == null ? 0 : existing.held, e.quantity(), "held", e);
        }
        Slot s = existing != null ? existing : products.slot(ps, e.warehouseId());
        if (line == null) {
            line = reservations.lineFor(e.reservationId(), ps, s);
        }
        boolean overReleased = held ? holds.heldArrived(line, e.quantity(), expiryOf(e))
                : holds.releasedArrived(line, e.quantity());
        ps.touch(s, micros);
        return overReleased ? OVER_RELEASED : APPLIED;
    }

    /**
     * A known {@code held} event with a later {@code expires_at} extends its hold if the hold is active and
     * has not lapsed (how an in-process extend reaches other instances). Write lock held.
     */
    private boolean extendsHold(ProductState ps, InventoryEvent e, long micros) {
        if (e.kind() != EventKind.RESERVATION_HELD || e.expiresAt() == null) {
            return false;
        }
        Slot s = ps.find(e.warehouseId());
        HoldLine line = s == null ? null : reservations.findLine(e.reservationId(), ps, s);
        long expiry = Times.nanos(e.expiresAt());
        if (line == null || line.state != HoldLine.ACTIVE || line.quantity != e.quantity()
                || expiry <= line.expiresAtNanos || line.expiresAtNanos <= nowNanos()) {
            return false;
        }
        holds.extend(line, expiry);
        ps.touch(s, micros); // as the in-process extend does: lastUpdated agrees whichever copy comes first
        return true;
    }

    private long expiryOf(InventoryEvent held) {
        if (held.expiresAt() != null) {
            return Times.nanos(held.expiresAt());
        }
        return defaultHoldTtl == null ? HoldLine.NEVER : Times.plusNanos(held.eventTime(), defaultHoldTtl);
    }

    /** value + delta, or a refusal naming the event when that overflows. */
    static long addChecked(long value, long delta, String what, InventoryEvent e) {
        try {
            return Math.addExact(value, delta);
        } catch (ArithmeticException overflow) {
            throw new InvalidEventException("quantity", e.quantity(), "quantity " + e.quantity() + " would overflow "
                    + what + " (" + value + ") of product " + e.productId() + " at " + e.warehouseId() + " (" + e
                    .kind().idField() + " " + e.id() + ")");
        }
    }
}
