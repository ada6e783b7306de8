package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.Position;
import dev.inventoryledger.core.ProductCatalog;
import dev.inventoryledger.core.ReservationLine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the ledger answers: point reads (allocation-free, no lock in the common case), snapshots of a product's
 * positions at one moment, and the queries over all products. A read never counts a hold whose expiry the
 * clock has reached: where one is due, the read lapses it first (through the {@link HoldBook}).
 *
 * <p>Thread-safe; never blocks writers for longer than a few field reads.
 */
public final class Reads extends LedgerOperation {
    /** What a point read returns. */
    public static final int AVAILABLE = 0, HELD = 1, SELLABLE = 2;

    private static final Comparator<Position> BY_POSITION =
            Comparator.comparing(Position::productId).thenComparing(Position::warehouseId);


    public Reads(Services services) {
        super(services);
    }

    /** The reservation's lines as held, whatever their state; empty if unknown. */
    public List<ReservationLine> reservationLines(String reservationId) {
        Reservation r = reservations.get(reservationId);
        if (r == null) {
            return List.of();
        }
        List<ReservationLine> lines = new ArrayList<>();
        for (HoldLine l : r.lines()) {
            ProductState ps = l.product;
            long stamp = ps.readLock();
            try {
                if (l.quantity > 0) {
                    lines.add(ReservationLine.of(l.productId(), l.warehouseId(), l.quantity));
                }
            } finally {
                ps.unlockRead(stamp);
            }
        }
        return lines;
    }

    // ------------------------------------------------------------------------------------------ point reads

    /** {@link #AVAILABLE}, {@link #HELD} or {@link #SELLABLE} units at a position; 0 for one never seen. */
    public long read(String productId, String warehouseId, int what) {
        ProductState ps = products.get(productId);
        if (ps == null) {
            return 0;
        }
        // Fast path, kept small so that it inlines: one optimistic read, validated.
        long stamp = ps.tryOptimisticRead();
        Slot s = ps.find(warehouseId);
        if (s != null) {
            long available = s.available, held = s.held, safety = s.safetyStock, next = ps.nextExpiryNanos;
            if (ps.validate(stamp) && stamp != 0 && (held == 0 || next == HoldLine.NEVER)) {
                return pick(what, available, held, safety);
            }
        }
        return readSlow(ps, warehouseId, what);
    }

    private static long pick(int what, long available, long held, long safety) {
        return what == SELLABLE ? Slot.sellable(available, held, safety) : what == AVAILABLE ? available : held;
    }

    /** A read that may need the read lock (writers keep invalidating) or to lapse holds that are due. */
    private long readSlow(ProductState ps, String warehouseId, int what) {
        for (int attempt = 0; ; attempt++) {
            boolean locked = attempt >= 3; // stop retrying optimistically under a stream of writers
            long stamp = locked ? ps.readLock() : ps.tryOptimisticRead();
            long available = 0, held = 0, safety = 0, next = HoldLine.NEVER;
            try {
                Slot s = ps.find(warehouseId);
                if (s != null) {
                    available = s.available;
                    held = s.held;
                    safety = s.safetyStock;
                    next = ps.nextExpiryNanos;
                }
            } finally {
                if (locked) {
                    ps.unlockRead(stamp);
                }
            }
            if (!locked && (stamp == 0 || !ps.validate(stamp))) {
                continue;
            }
            if (held != 0 && next != HoldLine.NEVER) {
                long now = nowNanos();
                if (next <= now) {
                    holds.lockAndLapseDue(ps, now);
                    attempt = -1;
                    continue;
                }
            }
            return pick(what, available, held, safety);
        }
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** The position at one moment; all zero with a null lastUpdated for one never seen. */
    public Position position(String productId, String warehouseId) {
        ProductState ps = products.get(productId);
        if (ps != null) {
            for (Position p : snapshot(ps)) {
                if (p.warehouseId().equals(warehouseId)) {
                    return p;
                }
            }
        }
        return new Position(productId, warehouseId, 0, 0, 0, 0, null);
    }

    /** A product's sellable summed across warehouses, an oversold one counting as 0, read at one moment. */
    public long sellable(String productId) {
        ProductState ps = products.get(productId);
        long sum = 0;
        if (ps != null) {
            for (Position p : snapshot(ps)) {
                sum = Slot.saturatedAdd(sum, Math.max(0, p.sellable()));
            }
        }
        return sum;
    }

    /** A product's available summed across warehouses (may be negative), read at one moment. */
    public long available(String productId) {
        ProductState ps = products.get(productId);
        return ps == null ? 0 : totalAvailable(snapshot(ps));
    }

    private static long totalAvailable(Position[] positions) {
        long sum = 0;
        for (Position p : positions) {
            sum = Slot.saturatedAdd(sum, p.available());
        }
        return sum;
    }

    /** All positions of one product at one moment, after lapsing the holds that are due. */
    public Position[] snapshot(ProductState ps) {
        long now = ps.nextExpiryNanos == HoldLine.NEVER ? Long.MIN_VALUE : nowNanos();
        while (true) {
            if (ps.nextExpiryNanos <= now) {
                holds.lockAndLapseDue(ps, now);
            }
            long stamp = ps.readLock();
            try {
                if (ps.nextExpiryNanos <= now) {
                    continue; // a hold due by now was added meanwhile: lapse it first
                }
                return positionsOf(ps);
            } finally {
                ps.unlockRead(stamp);
            }
        }
    }

    /** The product's positions. Read or write lock held. */
    private static Position[] positionsOf(ProductState ps) {
        Slot[] slots = ps.slots();
        Position[] out = new Position[slots.length];
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            out[i] = new Position(ps.productId, s.warehouseId, s.available, s.held, s.safetyStock,
                    s.sellable(), s.lastUpdatedMicros == Slot.NO_TIME ? null : Times.instant(s.lastUpdatedMicros));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ queries

    /** Every position, product by product (each product at one moment), in no particular order. */
    public List<Position> positions() {
        List<Position> all = new ArrayList<>();
        for (ProductState ps : products.all()) {
            all.addAll(Arrays.asList(snapshot(ps)));
        }
        return all;
    }

    /** Products whose available summed across warehouses is ≤ 0, sorted by id. */
    public List<String> outOfStock() {
        List<String> out = new ArrayList<>();
        for (ProductState ps : products.all()) {
            Position[] positions = snapshot(ps);
            if (positions.length > 0 && totalAvailable(positions) <= 0) {
                out.add(ps.productId);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Positions below their product's reorder threshold, sorted by product then warehouse. */
    public List<Position> belowReorderThreshold(ProductCatalog catalog) {
        List<Position> out = new ArrayList<>();
        for (ProductState ps : products.all()) {
            OptionalLong threshold = catalog.reorderThreshold(ps.productId);
            if (threshold == null || threshold.isEmpty()) {
                continue;
            }
            for (Position p : snapshot(ps)) {
                if (p.available() < threshold.getAsLong()) {
                    out.add(p);
                }
            }
        }
        out.sort(BY_POSITION);
        return out;
    }
}
