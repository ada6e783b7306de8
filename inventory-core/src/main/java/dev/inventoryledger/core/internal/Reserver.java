package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.AllocationRule;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.core.ReservationResult.Allocation;
import dev.inventoryledger.core.ReservationResult.Shortfall;
import dev.inventoryledger.core.ReservationResult.Status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds units for checkouts, never more than are sellable. Two paths:
 * <ul>
 *   <li>{@link #reserveOne}: the flash-sale path, one line at a fixed warehouse decided under its one product's
 *       lock without the basket machinery; it decides the common outcomes and hands every other case to the
 *       basket path, having changed nothing;</li>
 *   <li>{@link #reserve}: a basket, all or nothing, as request (lines summed per position, products in lock
 *       order) → plan (where the units come from, {@link BasketPlan}) → decide (the status) → commit (the
 *       holds), under every product's write lock.</li>
 * </ul>
 * Both register the identity of each {@code held} event they stand for, and tell it to local-event listeners.
 *
 * <p>Thread-safe: no interleaving of any number of threads lets two holds share a unit.
 */
public final class Reserver extends LedgerOperation {
    public Reserver(Services services) {
        super(services);
    }

    // ------------------------------------------------------------------------------------------ one line

    /**
     * Decides a one-line reservation at a fixed warehouse when it is held, or refused for want of stock with no
     * backorder allowed; returns null, having changed nothing, in every other case (the id already known, a
     * backorder, a new position). Arguments valid.
     */
    public ReservationResult reserveOne(String productId, String warehouseId, long q, String reservationId,
                                        Duration ttl) {
        ProductState ps = products.product(productId);
        Instant now = clock.instant();
        long expiry = Times.plusNanos(now, ttl);
        long seen;
        long stamp = ps.writeLock();
        try {
            holds.lapseDue(ps, Times.nanos(now));
            if (reservations.get(reservationId) != null) {
                return null; // a repeat, or the id in use: the basket path compares the holds
            }
            Slot slot = ps.find(warehouseId);
            seen = slot == null ? 0 : slot.sellable();
            if (slot == null || seen < q) {
                if (ps.backorderLimit() > 0) {
                    return null;
                }
                ps.unlockWrite(stamp);
                stamp = 0;
                metrics.reservation(LedgerMetrics.Reservation.INSUFFICIENT_STOCK);
                return ReservationResult.of(reservationId, Status.INSUFFICIENT_STOCK, seen, null, List.of(),
                        List.of(new Shortfall(productId, warehouseId, q, seen, q - Math.max(0, seen))));
            }
            IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, reservationId, productId, warehouseId);
            long fingerprint = Identities.fingerprint(q, null);
            if (identities.seen(ps, id, fingerprint) != IdentityRegister.NEW) {
                return null; // its held event was seen: the basket path says ID_IN_USE
            }
            Reservation fresh = reservations.claim(reservationId);
            if (fresh == null) {
                return null; // another thread took the id just now
            }
            holds.hold(reservations.addLine(fresh, ps, slot), q, expiry);
            identities.remember(ps, id, fingerprint, Times.micros(now));
            ps.touch(slot, Times.micros(now));
        } finally {
            if (stamp != 0) {
                ps.unlockWrite(stamp);
            }
        }
        metrics.reservation(LedgerMetrics.Reservation.ACCEPTED);
        Instant expiresAt = Times.instantOfNanos(expiry);
        if (notifier.listensLocally()) {
            notifier.tellLocal(List.of(Notifier.held(reservationId, productId, warehouseId, q, now, expiresAt)));
        }
        return ReservationResult.of(reservationId, Status.ACCEPTED, seen, expiresAt,
                List.of(new Allocation(productId, warehouseId, q, 0)), List.of());
    }

    // ------------------------------------------------------------------------------------------ baskets

    /** Holds a basket, all or nothing; see {@code InventoryLedger.tryReserve(String, List, Duration)}. */
    public ReservationResult reserve(String reservationId, List<ReservationLine> lines, Duration ttl,
                                     AllocationRule rule) {
        Request request = new Request(lines, products);
        Instant now = clock.instant();
        Decision d = new Decision(reservationId, Times.plusNanos(now, ttl));
        long[] stamps = ProductDirectory.writeLockAll(request.locked);
        try {
            for (ProductState ps : request.locked) {
                holds.lapseDue(ps, Times.nanos(now));
            }
            BasketPlan plan = plan(request, rule, d);
            decide(request, plan, d, now);
        } finally {
            ProductDirectory.unlockAllWrite(request.locked, stamps);
        }
        return finish(d, now);
    }

    /** The basket's lines summed per position, and its products in lock order. */
    private static final class Request {
        /** Units per (product, warehouse or null), summed, in the order of first appearance. */
        final Map<List<String>, Long> wanted;
        final Map<String, ProductState> byId = new HashMap<>();
        final ProductState[] locked;

        Request(List<ReservationLine> lines, ProductDirectory products) {
            wanted = PositionUnits.of(lines);
            for (List<String> key : wanted.keySet()) {
                byId.computeIfAbsent(key.get(0), products::product);
            }
            locked = ProductDirectory.inLockOrder(byId.values());
        }
    }

    /** What the basket path decided. Confined to the calling thread. */
    private static final class Decision {
        final String reservationId;
        long expiry;
        Status status;
        long firstSellable;
        final List<Allocation> held = new ArrayList<>();
        final List<Shortfall> shortfalls = new ArrayList<>();

        Decision(String reservationId, long expiry) {
            this.reservationId = reservationId;
            this.expiry = expiry;
        }
    }

    /** Where each line's units would come from, counting units already planned in this basket. Locks held. */
    private static BasketPlan plan(Request request, AllocationRule rule, Decision d) {
        BasketPlan plan = new BasketPlan();
        boolean first = true;
        for (Map.Entry<List<String>, Long> w : request.wanted.entrySet()) {
            ProductState ps = request.byId.get(w.getKey().get(0));
            String warehouseId = w.getKey().get(1);
            long q = w.getValue();
            long seen = warehouseId == null ? plan.anySellable(ps) : plan.sellable(ps.find(warehouseId));
            if (first) {
                d.firstSellable = seen;
                first = false;
            }
            long missing = warehouseId == null ? plan.planAny(ps, q, rule) : plan.planOne(ps, warehouseId, q);
            if (missing > 0) {
                d.shortfalls.add(new Shortfall(ps.productId, warehouseId, q, seen, missing));
            }
        }
        return plan;
    }

    /** The status, and the holds if accepted. Locks held. */
    private void decide(Request request, BasketPlan plan, Decision d, Instant now) {
        Reservation existing = reservations.get(d.reservationId);
        if (existing != null) {
            d.status = sameHold(existing, request.wanted) ? Status.ALREADY_HELD : Status.ID_IN_USE;
            if (d.status == Status.ALREADY_HELD) {
                d.shortfalls.clear();
                d.expiry = HoldLine.NEVER;
                for (HoldLine l : existing.lines()) {
                    d.held.add(new Allocation(l.productId(), l.warehouseId(), l.units(), 0));
                    d.expiry = Math.min(d.expiry, l.expiresAtNanos);
                }
            }
        } else if (!d.shortfalls.isEmpty()) {
            d.status = Status.INSUFFICIENT_STOCK;
        } else if (anyIdentityKnown(d.reservationId, plan)) {
            d.status = Status.ID_IN_USE;
        } else {
            Reservation fresh = reservations.claim(d.reservationId);
            if (fresh == null) {
                d.status = Status.ID_IN_USE; // another thread took the id just now
            } else {
                commit(fresh, plan, d, Times.micros(now));
                d.status = Status.ACCEPTED;
            }
        }
    }

    /** Holds the planned units under a reservation just claimed. Locks held. */
    private void commit(Reservation fresh, BasketPlan plan, Decision d, long micros) {
        for (Map.Entry<Slot, long[]> p : plan.units.entrySet()) {
            ProductState ps = plan.owners.get(p.getKey());
            Slot slot = products.slot(ps, p.getKey().warehouseId); // a backorder may need a new position
            long q = p.getValue()[0];
            long backordered = q - Math.max(0, Math.min(q, slot.sellable()));
            holds.hold(reservations.addLine(fresh, ps, slot), q, d.expiry);
            identities.register(ps, Identities.reservation(EventKind.RESERVATION_HELD, d.reservationId, ps.productId,
                    slot.warehouseId), Identities.fingerprint(q, null), micros);
            ps.touch(slot, micros);
            d.held.add(new Allocation(ps.productId, slot.warehouseId, q, backordered));
            if (backordered > 0) {
                metrics.backordered(backordered);
            }
        }
    }

    /** Metrics, local events and the result, after the locks. */
    private ReservationResult finish(Decision d, Instant now) {
        metrics.reservation(switch (d.status) {
            case ACCEPTED -> LedgerMetrics.Reservation.ACCEPTED;
            case ALREADY_HELD -> LedgerMetrics.Reservation.ALREADY_HELD;
            case INSUFFICIENT_STOCK -> LedgerMetrics.Reservation.INSUFFICIENT_STOCK;
            case ID_IN_USE -> LedgerMetrics.Reservation.ID_IN_USE;
            case OUTCOME_UNKNOWN -> throw new AssertionError("a ledger always decides");
        });
        boolean accepted = d.status == Status.ACCEPTED || d.status == Status.ALREADY_HELD;
        Instant expiresAt = accepted && d.expiry != HoldLine.NEVER ? Times.instantOfNanos(d.expiry) : null;
        if (d.status == Status.ACCEPTED && notifier.listensLocally()) {
            List<InventoryEvent> events = new ArrayList<>(d.held.size());
            for (Allocation a : d.held) {
                events.add(Notifier.held(d.reservationId, a.productId(), a.warehouseId(), a.quantity(), now, expiresAt));
            }
            notifier.tellLocal(events);
        }
        // a refusal for want of stock reports the line that fell short; every other status, the first line
        long sellable = d.status == Status.INSUFFICIENT_STOCK ? d.shortfalls.get(0).sellable() : d.firstSellable;
        return ReservationResult.of(d.reservationId, d.status, sellable, expiresAt,
                accepted ? d.held : List.of(), d.status == Status.INSUFFICIENT_STOCK ? d.shortfalls : List.of());
    }

    /** Whether an existing reservation is exactly this basket, still active. Locks of its products held. */
    private static boolean sameHold(Reservation existing, Map<List<String>, Long> wanted) {
        Map<List<String>, Long> held = new HashMap<>();
        Map<String, Long> heldPerProduct = new HashMap<>();
        for (HoldLine l : existing.lines()) {
            if (l.state != HoldLine.ACTIVE) {
                return false;
            }
            held.merge(List.of(l.productId(), l.warehouseId()), l.units(), Long::sum);
            heldPerProduct.merge(l.productId(), l.units(), Long::sum);
        }
        if (held.equals(wanted)) {
            return true;
        }
        // with "any warehouse" lines, the warehouses were the ledger's choice: compare per product
        Map<String, Long> wantedPerProduct = new HashMap<>();
        boolean anyWarehouse = false;
        for (Map.Entry<List<String>, Long> w : wanted.entrySet()) {
            wantedPerProduct.merge(w.getKey().get(0), w.getValue(), Long::sum);
            anyWarehouse |= w.getKey().get(1) == null;
        }
        return anyWarehouse && wantedPerProduct.equals(heldPerProduct);
    }

    /** Whether a {@code held} event of this reservation at a planned position is already known. Locks held. */
    private boolean anyIdentityKnown(String reservationId, BasketPlan plan) {
        for (Map.Entry<Slot, long[]> p : plan.units.entrySet()) {
            ProductState ps = plan.owners.get(p.getKey());
            IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, reservationId, ps.productId,
                    p.getKey().warehouseId);
            if (identities.seen(ps, id, Identities.fingerprint(p.getValue()[0], null)) != IdentityRegister.NEW) {
                return true;
            }
        }
        return false;
    }
}
