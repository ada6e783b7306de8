package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.BasketPlan;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.Checks;
import dev.inventoryledger.core.internal.HoldLine;
import dev.inventoryledger.core.internal.IdentityHash;
import dev.inventoryledger.core.internal.Identities;
import dev.inventoryledger.core.internal.IdentityTable;
import dev.inventoryledger.core.internal.LedgerMetrics;
import dev.inventoryledger.core.internal.ProductState;
import dev.inventoryledger.core.internal.Reservation;
import dev.inventoryledger.core.internal.ReservationIndex;
import dev.inventoryledger.core.internal.Slot;
import dev.inventoryledger.core.internal.Times;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.StampedLock;

/**
 * A live count of stock per (product, warehouse), updated incrementally by every inventory event, and the
 * arbiter that holds units for checkouts without ever overselling.
 *
 * <ul>
 *   <li>{@link #apply(InventoryEvent)} takes orders, cancellations, returns, receipts and reservation
 *       events; a redelivered event counts once ({@link ApplyOutcome#DUPLICATE}), and one that reuses an
 *       identity with another payload is dropped and reported ({@link ApplyOutcome#CONFLICT}).</li>
 *   <li>{@link #sellable(String, String)}, {@link #available(String, String)}, {@link #held(String, String)}
 *       and {@link #position(String, String)} answer at hash-map speed: an optimistic read that takes no lock
 *       and allocates nothing in the common case, and reads no clock for a position without holds.</li>
 *   <li>{@link #tryReserve(String, String, long, String, Duration)} holds units only if they are sellable at
 *       that instant, atomically; {@link #confirm(String, String)} turns a hold into an order,
 *       {@link #release(String)} gives it back, and a hold lapses by itself when its time to live passes.</li>
 *   <li>Baskets: {@link #tryReserve(String, List, Duration)} holds several lines all or nothing, placing
 *       "any warehouse" lines by an {@link AllocationRule}; {@link #extend(String, Duration)} renews a hold
 *       while payment runs; {@link #confirm(String, String, List)} confirms part of a basket;
 *       {@link #setBackorderLimit(String, long)} allows holds below zero sellable; {@link #audit()} checks
 *       the held counters against the holds.</li>
 *   <li>{@link #outOfStock()} and {@link #belowReorderThreshold(ProductCatalog)} are the article's two
 *       example queries; {@link #positions()} iterates everything.</li>
 *   <li>{@link StockAlertListener}s hear of transitions (low stock, out of stock, back in stock, oversold);
 *       Micrometer meters count events, reservations, positions and active holds.</li>
 * </ul>
 *
 * <pre>{@code
 * InventoryLedger ledger = InventoryLedger.builder().clock(clock).meterRegistry(registry).build();
 * ApplyOutcome o = ledger.apply(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, Instant.now()));
 * long s = ledger.sellable("SKU-1", "WH-1");
 * ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 2, "cart-42", Duration.ofMinutes(15));
 * if (r.accepted()) ledger.confirm("cart-42", "ORD-9"); else ledger.release("cart-42");
 * }</pre>
 *
 * <h2>Counts</h2>
 * Per position, {@code available} is the sum of the stock deltas of the applied events (it may go negative:
 * that is an oversell, reported by an alert, never hidden); {@code held} is the quantity in active holds;
 * {@code sellable = available − held − safety stock}. Without expiry and safety stock, the counts equal
 * what the article's {@code live_inventory} and {@code live_inventory_with_holds} SQL computes over the
 * same events once duplicates are removed, whatever order the events arrive in; two refinements: a hold
 * ends exactly once, so a {@code released} before its {@code held} nets to zero instead of going negative,
 * and an order carrying a {@code reservation_id} consumes that hold.
 *
 * <h2>Identity</h2>
 * An event's identity is its {@code event_id} when present (scoped to its product), otherwise (kind, id,
 * product, warehouse), the status being part of a reservation's kind. The payload compared for conflicts is
 * the quantity (and on an order its reservation id; with an {@code event_id}, also kind, id and warehouse);
 * a redelivery that differs only in its event time is a plain duplicate. Each product remembers its newest
 * {@link Builder#identitiesPerProduct(int) identitiesPerProduct} identities at about 32 bytes
 * each; an older one is forgotten (and a redelivery of it would count again). Replays from Kafka are
 * made exact by consumed offsets, not by remembering every id forever.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. Each product has its own lock: writers to different products never contend; readers take no
 * lock in the common case (an optimistic read, validated; under a stream of writers to the same product
 * they fall back to its read lock, held for a few field reads) and never see a position torn between two
 * moments. No interleaving
 * of any number of threads lets two holds share a unit.
 */
public final class InventoryLedger {
    private final Clock clock;
    private final int identitiesPerProduct;
    private final long lowStockThreshold;
    private final Duration defaultHoldTtl;
    private final AllocationRule allocationRule;
    private final List<StockAlertListener> listeners;
    private final List<LocalEventListener> localListeners;
    private final LedgerMetrics metrics;

    private final ConcurrentHashMap<String, ProductState> products = new ConcurrentHashMap<>();
    /**
     * Read-locked while a product is made, write-locked while a checkpoint lists the products and takes their
     * locks: no product appears in between, so a basket over a product made meanwhile is wholly in the
     * checkpoint or wholly after it. Taken only where no product lock is held ({@link #productFor} runs before
     * any), so it cannot deadlock with them.
     */
    private final StampedLock productCreation = new StampedLock();
    private final ReservationIndex reservations;

    private InventoryLedger(Builder b) {
        this.clock = b.clock;
        this.identitiesPerProduct = b.identitiesPerProduct;
        this.reservations = new ReservationIndex(b.retainEndedReservations);
        this.lowStockThreshold = b.lowStockThreshold;
        this.defaultHoldTtl = b.defaultHoldTtl;
        this.allocationRule = b.allocationRule;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.localListeners = new CopyOnWriteArrayList<>(b.localListeners);
        this.metrics = new LedgerMetrics(b.registry, l -> ((InventoryLedger) l).rememberedIdentities(), this);
    }

    /** A builder with the defaults documented on each of its methods. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------ events

    /**
     * Applies one event, exactly once.
     *
     * @return {@link ApplyOutcome#APPLIED} if its effect is now in the counts; {@link ApplyOutcome#DUPLICATE}
     *         or {@link ApplyOutcome#CONFLICT} if an event with its identity was applied before (nothing
     *         changed)
     * @throws NullPointerException   if the event is null
     * @throws InvalidEventException if a count would overflow; nothing changed
     */
    public ApplyOutcome apply(InventoryEvent event) {
        Objects.requireNonNull(event, "event");
        ProductState ps = productFor(event.productId());
        IdentityHash id = Identities.of(event);
        long fingerprint = Identities.fingerprint(event);
        long micros = Times.micros(event.eventTime());
        List<StockAlert> alerts = null;
        ApplyOutcome outcome = ApplyOutcome.APPLIED;
        long stamp = ps.writeLock();
        try {
            IdentityTable ids = ps.identities(identitiesPerProduct);
            int seen = ids.check(id.hi, id.lo, fingerprint);
            if (seen != IdentityTable.NEW) {
                outcome = seen == IdentityTable.CONFLICT ? ApplyOutcome.CONFLICT
                        : extendsHold(ps, event, micros) ? ApplyOutcome.APPLIED : ApplyOutcome.DUPLICATE;
            } else if (event.kind().isReservation()) {
                outcome = applyReservation(ps, event, micros);
            } else if (isEchoOfConfirm(ps, event)) {
                outcome = ApplyOutcome.DUPLICATE; // its identity was forgotten, or it carries an event_id
            } else {
                alerts = applyStock(ps, event, micros);
            }
            if (outcome == ApplyOutcome.APPLIED && seen == IdentityTable.NEW) {
                ids.insert(id.hi, id.lo, fingerprint);
            }
        } catch (InvalidEventException refused) {
            metrics.event(event.kind(), LedgerMetrics.REFUSED);
            throw refused;
        } finally {
            ps.unlockWrite(stamp);
        }
        metrics.event(event.kind(), outcome.ordinal());
        tell(alerts);
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
                && e.quantity() == line.quantity;
    }

    /** Orders, cancellations, returns, receipts. Write lock held; throws before changing anything. */
    private List<StockAlert> applyStock(ProductState ps, InventoryEvent e, long micros) {
        Slot existing = ps.find(e.warehouseId());
        long before = existing == null ? 0 : existing.available;
        long after = addChecked(before, e.availableDelta(), "available", e);
        Slot s = existing != null ? existing : newSlot(ps, e.warehouseId());
        s.available = after;
        s.touch(micros);
        if (e.kind() == EventKind.ORDER_PLACED && e.reservationId() != null) {
            HoldLine line = reservations.lineFor(e.reservationId(), ps, s);
            if (line.state == HoldLine.ACTIVE) {
                line.orderId = e.id();
                endLine(line, HoldLine.CONSUMED);
            } else if (line.state == HoldLine.EXPIRED) {
                line.orderId = e.id();
                line.state = HoldLine.CONSUMED; // sold after it lapsed: held was given back then; it ends once
            } else if (line.state == HoldLine.NEW) {
                line.orderId = e.id();
                line.state = HoldLine.PRE_CONSUMED;
                reservations.settle(line.reservation, -1); // ended before it began: the late held nets to zero
            }
        }
        return alerts(ps, s, before, after, e.eventTime(), null);
    }

    /** Held and released events. Write lock held; throws before changing anything. */
    private ApplyOutcome applyReservation(ProductState ps, InventoryEvent e, long micros) {
        Slot existing = ps.find(e.warehouseId());
        HoldLine line = existing == null ? null : reservations.findLine(e.reservationId(), ps, existing);
        if (e.kind() == EventKind.RESERVATION_HELD) {
            if (line != null && line.state != HoldLine.PRE_RELEASED && line.state != HoldLine.PRE_CONSUMED) {
                // the hold exists (its identity was forgotten, or this copy carries an event_id): the first stands
                return line.quantity != e.quantity() ? ApplyOutcome.CONFLICT
                        : extendsHold(ps, e, micros) ? ApplyOutcome.APPLIED : ApplyOutcome.DUPLICATE;
            }
            long held = existing == null ? 0 : existing.held;
            addChecked(held, e.quantity(), "held", e);
            Slot s = existing != null ? existing : newSlot(ps, e.warehouseId());
            if (line == null) {
                line = reservations.lineFor(e.reservationId(), ps, s);
            }
            line.quantity = e.quantity();
            if (line.state == HoldLine.PRE_RELEASED) {
                line.state = HoldLine.RELEASED; // the release came first: nets to zero
            } else if (line.state == HoldLine.PRE_CONSUMED) {
                line.state = HoldLine.CONSUMED;
            } else {
                activate(ps, line, expiryOf(e));
            }
            s.touch(micros);
        } else {
            Slot s = existing != null ? existing : newSlot(ps, e.warehouseId());
            if (line == null) {
                line = reservations.lineFor(e.reservationId(), ps, s);
            }
            if (line.state == HoldLine.ACTIVE) {
                endLine(line, HoldLine.RELEASED);
                metrics.reservation(LedgerMetrics.Reservation.RELEASED);
            } else if (line.state == HoldLine.NEW) {
                line.quantity = e.quantity();
                line.state = HoldLine.PRE_RELEASED;
                reservations.settle(line.reservation, -1); // ended before it began: the late held nets to zero
            }
            s.touch(micros);
        }
        return ApplyOutcome.APPLIED;
    }

    /**
     * A known {@code held} event with a later {@code expires_at} extends its hold if the hold is active and
     * has not lapsed (how an in-process {@link #extend} reaches other instances). Write lock held.
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
        ps.reschedule(line, expiry);
        s.touch(micros); // as the in-process extend does: lastUpdated agrees whichever copy comes first
        return true;
    }

    private long expiryOf(InventoryEvent held) {
        if (held.expiresAt() != null) {
            return Times.nanos(held.expiresAt());
        }
        return defaultHoldTtl == null ? HoldLine.NEVER : Times.plusNanos(held.eventTime(), defaultHoldTtl);
    }

    // ------------------------------------------------------------------------------------------ reads

    private static final int AVAILABLE = 0, HELD = 1, SELLABLE = 2;

    /**
     * Units at the position: the sum of the stock deltas applied. 0 for a position the ledger has never
     * seen. Allocation-free; takes no lock unless writers keep the product busy.
     */
    public long available(String productId, String warehouseId) {
        return read(productId, warehouseId, AVAILABLE);
    }

    /**
     * Units in active holds at the position. A hold whose expiry the clock has reached is never counted
     * (such a read lapses it). Allocation-free; takes no lock unless writers keep the product busy or a hold
     * is due.
     */
    public long held(String productId, String warehouseId) {
        return read(productId, warehouseId, HELD);
    }

    /**
     * What checkout may still sell at the position: available − held − safety stock (negative when
     * oversold; saturates rather than wrapping). A hold whose expiry the clock has reached is never counted.
     * Allocation-free; takes no lock unless writers keep the product busy or a hold is due; the clock is read
     * only when the position has holds that can lapse.
     */
    public long sellable(String productId, String warehouseId) {
        return read(productId, warehouseId, SELLABLE);
    }

    private long read(String productId, String warehouseId, int what) {
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
                return what == SELLABLE ? Slot.sellable(available, held, safety) : what == AVAILABLE ? available : held;
            }
        }
        return readSlow(ps, warehouseId, what);
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
                    lapseDue(ps, now);
                    attempt = -1;
                    continue;
                }
            }
            return what == SELLABLE ? Slot.sellable(available, held, safety) : what == AVAILABLE ? available : held;
        }
    }

    /**
     * The position as one immutable snapshot (available and held from the same moment). For a position
     * the ledger has never seen: all zero, with a null {@code lastUpdated}.
     */
    public Position position(String productId, String warehouseId) {
        Objects.requireNonNull(productId, "productId");
        Objects.requireNonNull(warehouseId, "warehouseId");
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

    /**
     * Sellable units of a product across its warehouses: the sum of each warehouse's sellable, counting an
     * oversold warehouse as 0 (its shortfall cannot be filled from another's stock, and must not hide it).
     * The warehouses are read at one moment.
     */
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

    /** Available units of a product summed across its warehouses (may be negative), read at one moment. */
    public long available(String productId) {
        ProductState ps = products.get(productId);
        long sum = 0;
        if (ps != null) {
            for (Position p : snapshot(ps)) {
                sum = Slot.saturatedAdd(sum, p.available());
            }
        }
        return sum;
    }

    /**
     * Every position, product by product (each product's positions read at one moment), in no particular
     * order. A snapshot: later changes do not show in the returned list.
     */
    public List<Position> positions() {
        List<Position> all = new ArrayList<>();
        for (ProductState ps : products.values()) {
            all.addAll(Arrays.asList(snapshot(ps)));
        }
        return all;
    }

    /**
     * Products whose available stock summed across warehouses is zero or less, sorted by id: the article's
     * out-of-stock query ({@code GROUP BY product_id HAVING SUM(available_quantity) <= 0}).
     * Unlike the article's view, a product the ledger knows only from reservation events (or settings) is
     * included: its available is 0.
     */
    public List<String> outOfStock() {
        List<String> out = new ArrayList<>();
        for (ProductState ps : products.values()) {
            Position[] ps1 = snapshot(ps);
            if (ps1.length == 0) {
                continue;
            }
            long sum = 0;
            for (Position p : ps1) {
                sum = Slot.saturatedAdd(sum, p.available());
            }
            if (sum <= 0) {
                out.add(ps.productId);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * Positions whose available stock is below their product's reorder threshold, sorted by product then
     * warehouse: the article's reorder query ({@code live_inventory JOIN product_catalog WHERE
     * available_quantity < reorder_threshold}). Products the catalog does not know are left out.
     * Positions known only from reservation events count with available 0.
     */
    public List<Position> belowReorderThreshold(ProductCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        List<Position> out = new ArrayList<>();
        for (ProductState ps : products.values()) {
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
        out.sort(Comparator.comparing(Position::productId).thenComparing(Position::warehouseId));
        return out;
    }

    /**
     * Checks the ledger against itself: recomputes every position's held quantity from the live holds and
     * compares it with the position's counter, and counts the active holds. Takes every product's lock at
     * once (in a fixed order) so that the picture is consistent: writers wait for the duration; meant for
     * tests, health checks and occasional operations, not for every request. Sets the
     * {@code inventory.audit.discrepancies} gauge.
     */
    public LedgerAudit audit() {
        ProductState[] all = products.values().toArray(new ProductState[0]);
        Arrays.sort(all, Comparator.comparing(p -> p.productId));
        long now = nowNanos();
        long[] stamps = lockAll(all);
        try {
            for (ProductState ps : all) {
                ps.pollDue(now, this::lapse); // a hold due now is not active
            }
            Map<Slot, long[]> byHolds = new HashMap<>();
            long active = 0;
            for (Reservation r : reservations.all()) {
                for (HoldLine l : r.lines()) {
                    if (l.state == HoldLine.ACTIVE) {
                        byHolds.computeIfAbsent(l.slot, k -> new long[1])[0] += l.quantity;
                        active++;
                    }
                }
            }
            List<LedgerAudit.Discrepancy> found = new ArrayList<>();
            long positions = 0;
            for (ProductState ps : all) {
                for (Slot s : ps.slots()) {
                    positions++;
                    long[] sum = byHolds.get(s);
                    long expected = sum == null ? 0 : sum[0];
                    if (s.held != expected) {
                        found.add(new LedgerAudit.Discrepancy(ps.productId, s.warehouseId, s.held, expected));
                    }
                }
            }
            metrics.auditDiscrepancies.set(found.size());
            return new LedgerAudit(positions, active, found);
        } finally {
            unlockAll(all, stamps);
        }
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    /** As {@link #checkpoint(Path, Map)} with no source offsets. */
    public long checkpoint(Path file) throws IOException {
        return checkpoint(file, Map.of());
    }

    /**
     * Writes the whole state — positions, settings, holds (active, and the ended ones still remembered) and
     * remembered identities — to {@code file}, with {@code sourceOffsets} (opaque to the ledger: a Kafka
     * feed stores where each partition resumes). Atomic: the file is written beside its target, forced to
     * disk and renamed over it, so a crash at any instant leaves the previous checkpoint or this one, whole;
     * the temporary file a process killed mid-write leaves is removed by a later process's first checkpoint
     * to the same file. Versioned and checksummed (CRC32C).
     *
     * <p>Consistent: every product is held still (its read lock; point reads go on) while the state is
     * copied into memory, then it is encoded and written with no lock held. Writers wait for the copy only
     * (about 0.3 s for 1M positions and 10M identities, see BENCHMARKS.md); a
     * product first seen while the checkpoint takes its locks waits until it has them (so a basket is never
     * in it by halves).
     * The offsets are the caller's to keep consistent: pass the offsets of exactly the events applied so
     * far (the feed checkpoints from its own thread, between records).
     *
     * @return the size of the checkpoint in bytes
     * @throws IOException if the file cannot be written (the previous checkpoint is then left as it was)
     */
    public long checkpoint(Path file, Map<String, Long> sourceOffsets) throws IOException {
        Objects.requireNonNull(file, "file");
        Map<String, Long> offsets = new TreeMap<>(Objects.requireNonNull(sourceOffsets, "sourceOffsets"));
        ProductState[] all = new ProductState[0];
        long[] stamps = new long[0];
        CheckpointFile.Contents captured;
        int locked = 0;
        long gate = productCreation.writeLock(); // no product is made until every listed one is locked
        try {
            all = products.values().toArray(all);
            Arrays.sort(all, Comparator.comparing(p -> p.productId)); // the order lockAll uses: no deadlock
            stamps = new long[all.length];
            for (; locked < all.length; locked++) {
                stamps[locked] = all[locked].readLock();
            }
            productCreation.unlockWrite(gate);
            gate = 0;
            captured = CheckpointFile.capture(Times.micros(clock.instant()), offsets, Arrays.asList(all),
                    reservations.inRetirementOrder()); // restore then forgets ended ones in the same order
        } finally {
            if (gate != 0) {
                productCreation.unlockWrite(gate);
            }
            for (int i = locked - 1; i >= 0; i--) {
                all[i].unlockRead(stamps[i]);
            }
        }
        CheckpointFile.Chunks bytes = CheckpointFile.serialize(captured); // no lock held from here
        CheckpointFile.write(file, bytes);
        return bytes.size();
    }

    /**
     * Loads a checkpoint written by {@link #checkpoint(Path, Map)} into this ledger, which must be new and
     * not yet used (restore before feeding it or serving reads). The whole file is read and verified before
     * anything is loaded: a file that is not a checkpoint, of another version, truncated or corrupt is
     * refused and the ledger stays empty. This ledger's own settings (identities per product, listeners,
     * clock) apply from here on; holds whose expiry passed while the checkpoint sat on disk lapse as usual.
     *
     * @return the source offsets stored with the checkpoint
     * @throws IOException            if the file cannot be read, or is refused (the message says why)
     * @throws IllegalStateException  if this ledger already holds state
     */
    public Map<String, Long> restore(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        CheckpointFile.Contents c = CheckpointFile.read(file);
        // No product is made while the state loads, so a checkpoint taken meanwhile waits for the whole of it.
        long gate = productCreation.writeLock();
        try {
            install(c);
        } finally {
            productCreation.unlockWrite(gate);
        }
        return Map.copyOf(c.offsets());
    }

    /** Loads a verified checkpoint into this empty ledger. The product-creation gate is held. */
    private void install(CheckpointFile.Contents c) {
        if (!products.isEmpty() || !reservations.all().isEmpty()) {
            throw new IllegalStateException("restore needs a new, empty ledger but this one has " + products.size()
                    + " products");
        }
        for (CheckpointFile.ProductData pd : c.products()) {
            ProductState ps = products.computeIfAbsent(pd.productId(), ProductState::new); // gate held
            long stamp = ps.writeLock();
            try {
                ps.backorderLimit = pd.backorderLimit();
                for (CheckpointFile.SlotData sd : pd.slots()) {
                    Slot s = newSlot(ps, sd.warehouseId());
                    s.available = sd.available();
                    s.held = sd.held();
                    s.lastUpdatedMicros = sd.lastUpdatedMicros();
                    s.safetyStock = sd.safetyStock();
                    if (sd.threshold() >= 0) {
                        ps.setLowStockThreshold(s, sd.threshold());
                    }
                }
                long[] ids = pd.identities();
                if (ids.length > 0) {
                    IdentityTable table = ps.identities(identitiesPerProduct);
                    for (int i = 0; i < ids.length; i += 3) {
                        table.insert(ids[i], ids[i + 1], ids[i + 2]);
                    }
                }
            } finally {
                ps.unlockWrite(stamp);
            }
        }
        for (CheckpointFile.ReservationData rd : c.reservations()) {
            Reservation r = new Reservation(rd.id());
            reservations.putIfAbsent(r);
            for (CheckpointFile.LineData ld : rd.lines()) {
                ProductState ps = products.get(ld.productId());
                long stamp = ps.writeLock();
                try {
                    HoldLine l;
                    synchronized (r) {
                        l = r.addLine(ps, ps.find(ld.warehouseId()));
                    }
                    l.quantity = ld.quantity();
                    l.state = ld.state();
                    l.expiresAtNanos = ld.expiresAtNanos();
                    l.orderId = ld.orderId();
                    if (l.state == HoldLine.ACTIVE) {
                        if (l.expiresAtNanos != HoldLine.NEVER) {
                            ps.scheduleExpiry(l);
                        }
                        metrics.activeHolds.increment(); // held was restored with the slot
                    } else {
                        reservations.settle(r, -1);
                    }
                } finally {
                    ps.unlockWrite(stamp);
                }
            }
        }
    }

    /** Holds now active (not confirmed, released or expired), ledger-wide. Lapsed holds leave it lazily. */
    public long activeHolds() {
        return metrics.activeHolds.sum();
    }

    /** Event identities remembered now for duplicate detection, ledger-wide (a racy sum, for metrics). */
    public long rememberedIdentities() {
        long n = 0;
        for (ProductState ps : products.values()) {
            n += ps.identityCount();
        }
        return n;
    }

    /** All positions of one product at one moment, after lapsing the holds that are due. */
    private Position[] snapshot(ProductState ps) {
        long now = ps.nextExpiryNanos == HoldLine.NEVER ? Long.MIN_VALUE : nowNanos();
        while (true) {
            if (ps.nextExpiryNanos <= now) {
                lapseDue(ps, now);
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

    // ------------------------------------------------------------------------------------------ holds

    /**
     * Holds {@code quantity} units at the position for {@code ttl}, only if that many are sellable at this
     * instant. Atomic: no interleaving of any number of threads lets two holds share a unit.
     *
     * <p>Idempotent: asking again for the same reservation (same id, product, warehouse, quantity) while it
     * is active returns {@link ReservationResult.Status#ALREADY_HELD} and changes nothing. A reservation id is
     * single-use: one that is in use with other lines, or has ended, gives
     * {@link ReservationResult.Status#ID_IN_USE}.
     *
     * <p>The hold counts while the clock is before {@code now + ttl} and ends exactly once: {@link #confirm}, {@link #release}, or expiry. The ledger registers the
     * identity of the {@code held} event it stands for, so its echo from Kafka counts as a duplicate.
     *
     * @throws InvalidEventException if an id is null, blank or too long, the quantity is ≤ 0, or the ttl is
     *                               null, zero or negative
     */
    public ReservationResult tryReserve(String productId, String warehouseId, long quantity, String reservationId,
                                        Duration ttl) {
        if (Checks.isId(reservationId) && Checks.isId(warehouseId) && Checks.isId(productId) && quantity > 0
                && ttl != null && !ttl.isNegative() && !ttl.isZero()) {
            ReservationResult decided = tryReserveOne(productId, warehouseId, quantity, reservationId, ttl);
            if (decided != null) {
                return decided;
            }
        } else { // refused below, with the field and the value named; the messages are built only here
            String context = " (reservation " + reservationId + ", product " + productId + ")";
            Checks.id("reservation_id", reservationId, context);
            Checks.id("warehouse_id", warehouseId, context);
        }
        return tryReserve(reservationId, List.of(new ReservationLine(productId, warehouseId, quantity)), ttl);
    }

    /**
     * The flash-sale path: one line at a fixed warehouse, decided under the one product's lock without the
     * basket machinery. Decides the common outcomes (held; too few sellable, with no backorder allowed) and
     * returns null, having changed nothing, for every other case (the id already known, a backorder, a new
     * position), which the basket path then decides as it always does. Arguments valid.
     */
    private ReservationResult tryReserveOne(String productId, String warehouseId, long q, String reservationId,
                                            Duration ttl) {
        ProductState ps = productFor(productId);
        Instant now = clock.instant();
        long nowNanos = Times.nanos(now);
        long expiry = Times.plusNanos(now, ttl);
        long seen;
        long stamp = ps.writeLock();
        try {
            ps.pollDue(nowNanos, this::lapse);
            if (reservations.get(reservationId) != null) {
                return null; // a repeat, or the id in use: the basket path compares the holds
            }
            Slot slot = ps.find(warehouseId);
            seen = slot == null ? 0 : slot.sellable();
            if (slot == null || seen < q) {
                if (ps.backorderLimit > 0) {
                    return null;
                }
                ReservationResult.Shortfall shortfall = new ReservationResult.Shortfall(productId, warehouseId, q,
                        seen, q - Math.max(0, seen));
                ps.unlockWrite(stamp);
                stamp = 0;
                metrics.reservation(LedgerMetrics.Reservation.INSUFFICIENT_STOCK);
                return ReservationResult.of(reservationId, ReservationResult.Status.INSUFFICIENT_STOCK, seen, null,
                        List.of(), List.of(shortfall));
            }
            IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, reservationId, productId, warehouseId);
            IdentityTable ids = ps.identities(identitiesPerProduct);
            long fingerprint = Identities.fingerprint(q, null);
            if (ids.check(id.hi, id.lo, fingerprint) != IdentityTable.NEW) {
                return null; // its held event was seen: the basket path says ID_IN_USE
            }
            Reservation fresh = new Reservation(reservationId);
            if (reservations.putIfAbsent(fresh) != null) {
                return null; // another thread took the id just now
            }
            HoldLine line;
            synchronized (fresh) {
                line = fresh.addLine(ps, slot);
            }
            line.quantity = q;
            activate(ps, line, expiry);
            ids.insert(id.hi, id.lo, fingerprint);
            slot.touch(Times.micros(now));
        } finally {
            if (stamp != 0) {
                ps.unlockWrite(stamp);
            }
        }
        metrics.reservation(LedgerMetrics.Reservation.ACCEPTED);
        Instant expiresAt = Times.instantOfNanos(expiry);
        if (!localListeners.isEmpty()) {
            tellLocal(List.of(InventoryEvent.reservationHeld(reservationId, productId, warehouseId, q, now)
                    .withExpiresAt(expiresAt)));
        }
        return ReservationResult.of(reservationId, ReservationResult.Status.ACCEPTED, seen, expiresAt,
                List.of(new ReservationResult.Allocation(productId, warehouseId, q, 0)), List.of());
    }

    /**
     * Holds a basket, all or nothing: every line is checked and held in one atomic step over all its
     * products (locked in a fixed order, so concurrent baskets never deadlock and never leave a partial
     * hold). Lines naming the same product and warehouse are summed before the check. "Any warehouse" lines
     * are placed by the ledger's default rule ({@link Builder#allocationRule(AllocationRule)}).
     *
     * <p>If any line cannot be met, nothing is held and {@link ReservationResult#shortfalls()} says which
     * lines fell short and by how much. {@code confirm}, {@code release}, {@code extend} and expiry act on
     * the whole basket. Idempotent like the single-line form.
     *
     * @throws InvalidEventException if the id is invalid, the list is null or empty, or the ttl is not
     *                               positive; nothing changed
     */
    public ReservationResult tryReserve(String reservationId, List<ReservationLine> lines, Duration ttl) {
        return tryReserve(reservationId, lines, ttl, allocationRule);
    }

    /**
     * As {@link #tryReserve(String, List, Duration)}, placing "any warehouse" lines by {@code rule}.
     *
     * @throws InvalidEventException if the id is invalid, the list is null or empty, or the ttl is not
     *                               positive; nothing changed
     */
    public ReservationResult tryReserve(String reservationId, List<ReservationLine> lines, Duration ttl,
                                        AllocationRule rule) {
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.ttl(ttl, context);
        Objects.requireNonNull(rule, "rule");
        if (lines == null || lines.isEmpty()) {
            throw new InvalidEventException("lines", lines, "lines must name at least one line but was " + lines
                    + context);
        }
        // Sum lines of the same product and warehouse, keeping the order of first appearance.
        Map<List<String>, Long> wanted = new LinkedHashMap<>();
        for (ReservationLine l : lines) {
            Objects.requireNonNull(l, "line");
            wanted.merge(Arrays.asList(l.productId(), l.warehouseId()), l.quantity(), Slot::saturatedAdd);
        }
        TreeMap<String, ProductState> byId = new TreeMap<>();
        for (List<String> key : wanted.keySet()) {
            byId.computeIfAbsent(key.get(0), this::productFor);
        }
        ProductState[] locked = byId.values().toArray(new ProductState[0]);
        Instant now = clock.instant();
        long nowNanos = Times.nanos(now);
        long expiry = Times.plusNanos(now, ttl);
        ReservationResult.Status status;
        long firstSellable = 0;
        List<ReservationResult.Allocation> held = new ArrayList<>();
        List<ReservationResult.Shortfall> shortfalls = new ArrayList<>();
        long[] stamps = lockAll(locked);
        try {
            for (ProductState ps : locked) {
                ps.pollDue(nowNanos, this::lapse);
            }
            Reservation existing = reservations.get(reservationId);
            // Plan: where each line's units would come from, counting units already planned in this basket.
            BasketPlan plan = new BasketPlan();
            boolean first = true;
            for (Map.Entry<List<String>, Long> w : wanted.entrySet()) {
                ProductState ps = byId.get(w.getKey().get(0));
                String warehouseId = w.getKey().get(1);
                long q = w.getValue();
                long seen = warehouseId == null ? plan.anySellable(ps) : plan.sellable(ps.find(warehouseId));
                if (first) {
                    firstSellable = seen;
                    first = false;
                }
                long missing = warehouseId == null ? plan.planAny(ps, q, rule) : plan.planOne(ps, warehouseId, q);
                if (missing > 0) {
                    shortfalls.add(new ReservationResult.Shortfall(ps.productId, warehouseId, q, seen, missing));
                }
            }
            if (existing != null) {
                status = sameHold(existing, wanted) ? ReservationResult.Status.ALREADY_HELD
                        : ReservationResult.Status.ID_IN_USE;
                if (status == ReservationResult.Status.ALREADY_HELD) {
                    shortfalls.clear();
                    expiry = HoldLine.NEVER;
                    for (HoldLine l : existing.lines()) {
                        held.add(new ReservationResult.Allocation(l.product.productId, l.slot.warehouseId, l.quantity, 0));
                        expiry = Math.min(expiry, l.expiresAtNanos);
                    }
                }
            } else if (!shortfalls.isEmpty()) {
                status = ReservationResult.Status.INSUFFICIENT_STOCK;
            } else if (anyIdentityKnown(reservationId, plan)) {
                status = ReservationResult.Status.ID_IN_USE;
            } else {
                Reservation fresh = new Reservation(reservationId);
                if (reservations.putIfAbsent(fresh) != null) {
                    status = ReservationResult.Status.ID_IN_USE; // another thread took the id just now
                } else {
                    long micros = Times.micros(now);
                    for (Map.Entry<Slot, long[]> p : plan.units.entrySet()) {
                        ProductState ps = plan.owners.get(p.getKey());
                        Slot slot = ps.find(p.getKey().warehouseId);
                        if (slot == null) {
                            slot = newSlot(ps, p.getKey().warehouseId); // a backorder at a new position
                        }
                        long q = p.getValue()[0];
                        long backordered = q - Math.max(0, Math.min(q, slot.sellable()));
                        HoldLine line;
                        synchronized (fresh) {
                            line = fresh.addLine(ps, slot);
                        }
                        line.quantity = q;
                        activate(ps, line, expiry);
                        IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, reservationId,
                                ps.productId, slot.warehouseId);
                        ps.identities(identitiesPerProduct).insert(id.hi, id.lo, Identities.fingerprint(q, null));
                        slot.touch(micros);
                        held.add(new ReservationResult.Allocation(ps.productId, slot.warehouseId, q, backordered));
                        if (backordered > 0) {
                            metrics.backordered(backordered);
                        }
                    }
                    status = ReservationResult.Status.ACCEPTED;
                }
            }
        } finally {
            unlockAll(locked, stamps);
        }
        metrics.reservation(switch (status) {
            case ACCEPTED -> LedgerMetrics.Reservation.ACCEPTED;
            case ALREADY_HELD -> LedgerMetrics.Reservation.ALREADY_HELD;
            case INSUFFICIENT_STOCK -> LedgerMetrics.Reservation.INSUFFICIENT_STOCK;
            case ID_IN_USE -> LedgerMetrics.Reservation.ID_IN_USE;
        });
        boolean accepted = status == ReservationResult.Status.ACCEPTED || status == ReservationResult.Status.ALREADY_HELD;
        if (!accepted) {
            held.clear();
        }
        if (status != ReservationResult.Status.INSUFFICIENT_STOCK) {
            shortfalls.clear();
        }
        Instant expiresAt = accepted && expiry != HoldLine.NEVER ? Times.instantOfNanos(expiry) : null;
        if (status == ReservationResult.Status.ACCEPTED && !localListeners.isEmpty()) {
            List<InventoryEvent> events = new ArrayList<>(held.size());
            for (ReservationResult.Allocation a : held) {
                events.add(InventoryEvent.reservationHeld(reservationId, a.productId(), a.warehouseId(), a.quantity(),
                        now).withExpiresAt(expiresAt));
            }
            tellLocal(events);
        }
        return ReservationResult.of(reservationId, status, firstSellable, expiresAt, held, shortfalls);
    }

    /** Whether an existing reservation is exactly this basket, still active. Locks of its products held. */
    private static boolean sameHold(Reservation existing, Map<List<String>, Long> wanted) {
        Map<List<String>, Long> held = new HashMap<>();
        Map<String, Long> heldPerProduct = new HashMap<>();
        for (HoldLine l : existing.lines()) {
            if (l.state != HoldLine.ACTIVE) {
                return false;
            }
            held.merge(List.of(l.product.productId, l.slot.warehouseId), l.quantity, Long::sum);
            heldPerProduct.merge(l.product.productId, l.quantity, Long::sum);
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

    private boolean anyIdentityKnown(String reservationId, BasketPlan plan) {
        for (Map.Entry<Slot, long[]> p : plan.units.entrySet()) {
            ProductState ps = plan.owners.get(p.getKey());
            IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, reservationId, ps.productId,
                    p.getKey().warehouseId);
            if (ps.identities(identitiesPerProduct).check(id.hi, id.lo, Identities.fingerprint(p.getValue()[0], null))
                    != IdentityTable.NEW) {
                return true;
            }
        }
        return false;
    }

    private static long[] lockAll(ProductState[] sortedById) {
        long[] stamps = new long[sortedById.length];
        for (int i = 0; i < sortedById.length; i++) {
            stamps[i] = sortedById[i].writeLock(); // in product-id order: no deadlock
        }
        return stamps;
    }

    private static void unlockAll(ProductState[] locked, long[] stamps) {
        for (int i = locked.length - 1; i >= 0; i--) {
            locked[i].unlockWrite(stamps[i]);
        }
    }

    /**
     * Turns the reservation's hold into order {@code orderId}: held and available go down by its quantity
     * in one step, on every active line of the reservation. The ledger registers the identity of the order
     * event it stands for (one per line), so the order's echo from Kafka counts as a duplicate; if that
     * order was already applied as an event, only the hold ends.
     *
     * <p>Idempotent: a hold ends exactly once; a later call reports how it ended and changes nothing.
     *
     * @return {@link HoldOutcome#CONFIRMED}, or how the hold had already ended ({@link HoldOutcome#EXPIRED}
     *         if its time to live passed first: nothing is sold), or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if an id is null, blank or too long
     */
    public HoldOutcome confirm(String reservationId, String orderId) {
        if (!Checks.isId(reservationId) || !Checks.isId(orderId)) {
            String context = " (reservation " + reservationId + ")"; // built only to refuse
            Checks.id("reservation_id", reservationId, context);
            Checks.id("order_id", orderId, context);
        }
        return end(reservationId, orderId);
    }

    /**
     * Releases the reservation's hold: its units are sellable again at once. Idempotent: a later call
     * reports how the hold ended and changes nothing.
     *
     * @return {@link HoldOutcome#RELEASED}, or how the hold had already ended, or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if the id is null, blank or too long
     */
    public HoldOutcome release(String reservationId) {
        Checks.id("reservation_id", reservationId, " (release)");
        return end(reservationId, null);
    }

    /**
     * Lapses every hold whose expiry the clock has reached, now, rather than when its position is next
     * read. Reads never count a lapsed hold either way; call this on a schedule to keep
     * {@link #activeHolds()} and the metrics current.
     *
     * @return how many holds lapsed
     */
    public int expireHolds() {
        long now = nowNanos();
        int[] lapsed = {0};
        for (ProductState ps : products.values()) {
            if (ps.nextExpiryNanos <= now) {
                long stamp = ps.writeLock();
                try {
                    ps.pollDue(now, line -> {
                        lapse(line);
                        lapsed[0]++;
                    });
                } finally {
                    ps.unlockWrite(stamp);
                }
            }
        }
        return lapsed[0];
    }

    /**
     * Confirms part of a basket, for split shipments: each named line (product, warehouse, quantity ≤ what
     * is held there) becomes order {@code orderId} atomically; the rest stays held, to be confirmed later
     * (under another order id) or released. A part line naming a position the basket does not hold, or more
     * than it holds there, is refused and nothing changes.
     *
     * <p>Across instances (see {@link LocalEventListener}) a partial confirm is coarser: another ledger that
     * applies the order, which names the reservation, ends the whole line there, so until the rest is
     * confirmed or released it shows the rest as sellable; then both agree. A renewal of the rest is not
     * told. And an order of a partial confirm whose identity this ledger has forgotten is not recognised
     * as its own echo: keep {@link Builder#identitiesPerProduct(int)} above what a product sees while its
     * orders travel.
     *
     * @return {@link HoldOutcome#CONFIRMED}, {@link HoldOutcome#ORDER_CONFLICT}, or how the hold had ended
     * @throws InvalidEventException if an id is invalid, the part is empty, or names what is not held
     */
    public HoldOutcome confirm(String reservationId, String orderId, List<ReservationLine> part) {
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.id("order_id", orderId, context);
        if (part == null || part.isEmpty()) {
            throw new InvalidEventException("lines", part, "lines must name at least one line but was " + part
                    + context);
        }
        Map<List<String>, Long> wanted = new LinkedHashMap<>();
        for (ReservationLine l : part) {
            if (l.isAnyWarehouse()) {
                throw new InvalidEventException("warehouse_id", null, "warehouse_id must be given to confirm part "
                        + "of a basket but was null (product " + l.productId() + ")" + context);
            }
            wanted.merge(Arrays.asList(l.productId(), l.warehouseId()), l.quantity(), Slot::saturatedAdd);
        }
        return act(reservationId, CONFIRM, orderId, wanted, 0);
    }

    /**
     * Renews the hold while payment is in flight: every active line of the reservation now lapses at
     * {@code now + ttl}, or later if it already did (a renewal never shortens a hold, so that other
     * instances, which take only a later {@code expires_at}, agree). A hold that has already lapsed is not revived (a later {@code confirm} re-takes the
     * units if they are still sellable).
     *
     * @return {@link HoldOutcome#EXTENDED}, or how the hold had ended, or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if the id is invalid or the ttl is not positive
     */
    public HoldOutcome extend(String reservationId, Duration ttl) {
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.ttl(ttl, context);
        return act(reservationId, EXTEND, null, null, Times.plusNanos(clock.instant(), ttl));
    }

    private static final int RELEASE = 0, CONFIRM = 1, EXTEND = 2;

    private HoldOutcome end(String reservationId, String orderId) {
        return act(reservationId, orderId == null ? RELEASE : CONFIRM, orderId, null, 0);
    }

    /** Releases, confirms (wholly, or the part named), or extends a reservation, under all its products' locks. */
    private HoldOutcome act(String reservationId, int action, String orderId, Map<List<String>, Long> part,
                            long newExpiry) {
        Reservation r = reservations.get(reservationId);
        if (r == null) {
            return HoldOutcome.UNKNOWN;
        }
        Instant now = clock.instant();
        long nowNanos = Times.nanos(now);
        long micros = Times.micros(now);
        List<StockAlert> alerts = null;
        List<InventoryEvent> events = localEvents();
        HoldOutcome outcome;
        while (true) {
            HoldLine[] lines = r.lines();
            ProductState[] locked = productsOf(lines);
            long[] stamps = lockAll(locked);
            try {
                if (r.lines() != lines) {
                    continue; // a line was added meanwhile, perhaps on a product not locked: start again
                }
                for (ProductState ps : locked) {
                    ps.pollDue(nowNanos, this::lapse);
                }
                boolean anyActive = false;
                for (HoldLine l : lines) {
                    anyActive |= l.state == HoldLine.ACTIVE;
                }
                if (!anyActive) {
                    outcome = action == CONFIRM && part == null && lateConfirmable(lines, orderId)
                            ? HoldOutcome.CONFIRMED_AFTER_EXPIRY : endedAs(lines);
                    if (outcome == HoldOutcome.CONFIRMED_AFTER_EXPIRY) {
                        for (HoldLine l : lines) {
                            IdentityHash order = Identities.order(orderId, l.product.productId, l.slot.warehouseId);
                            if (orderIsNew(l, l.quantity, order)) { // else peers have the order and no hold
                                record(events, l, EventKind.ORDER_PLACED, l.quantity, orderId, now, null);
                            }
                            alerts = sell(l, l.quantity, order, now, alerts);
                            l.orderId = orderId;
                            l.state = HoldLine.CONFIRMED; // it had ended as EXPIRED: held was already given back
                            l.slot.touch(micros);
                        }
                    }
                    break;
                }
                if (action == EXTEND) {
                    for (HoldLine l : lines) {
                        // never earlier than it was: peers only ever lengthen a hold from a later expires_at
                        if (l.state == HoldLine.ACTIVE && newExpiry > l.expiresAtNanos) {
                            l.product.reschedule(l, newExpiry);
                            l.slot.touch(micros);
                            if (!heldKnownWithOtherQuantity(l)) { // after a partial confirm peers hold none of it
                                record(events, l, EventKind.RESERVATION_HELD, l.quantity, null, now,
                                        Times.instantOfNanos(newExpiry));
                            }
                        }
                    }
                    outcome = HoldOutcome.EXTENDED;
                    break;
                }
                if (action == RELEASE) {
                    for (HoldLine l : lines) {
                        if (l.state == HoldLine.ACTIVE) {
                            record(events, l, EventKind.RESERVATION_RELEASED, l.quantity, null, now, null);
                            releaseLine(l);
                            l.slot.touch(micros);
                        }
                    }
                    outcome = HoldOutcome.RELEASED;
                    break;
                }
                long[] confirming = confirming(r, lines, part);
                IdentityHash[] orders = new IdentityHash[lines.length];
                for (int i = 0; i < lines.length; i++) { // all or nothing: check first
                    if (confirming[i] > 0) {
                        orders[i] = Identities.order(orderId, lines[i].product.productId, lines[i].slot.warehouseId);
                        if (!canSell(lines[i], confirming[i], orders[i])) {
                            return finish(HoldOutcome.ORDER_CONFLICT, null, null);
                        }
                    }
                }
                for (int i = 0; i < lines.length; i++) {
                    HoldLine l = lines[i];
                    long q = confirming[i];
                    if (q == 0) {
                        continue;
                    }
                    IdentityHash order = orders[i];
                    if (q == l.quantity) {
                        l.orderId = orderId;
                        endLine(l, HoldLine.CONFIRMED);
                    } else { // part of the line ships now; the rest stays held
                        l.quantity -= q;
                        l.slot.held -= q;
                    }
                    if (orderIsNew(l, q, order)) {
                        record(events, l, EventKind.ORDER_PLACED, q, orderId, now, null);
                    } else {
                        // The order was applied as a plain event already (here and, through Kafka, at the
                        // peers): for them this confirm only ends the hold, which is what a release says.
                        registerRelease(l, q);
                        record(events, l, EventKind.RESERVATION_RELEASED, q, null, now, null);
                    }
                    alerts = sell(l, q, order, now, alerts);
                    l.slot.touch(micros);
                }
                outcome = HoldOutcome.CONFIRMED;
                break;
            } finally {
                unlockAll(locked, stamps);
            }
        }
        return finish(outcome, alerts, events);
    }

    /** Adds the event an in-process step on a line stands for, when someone listens ({@code into} not null). */
    private static void record(List<InventoryEvent> into, HoldLine l, EventKind kind, long quantity, String orderId,
                               Instant now, Instant expiresAt) {
        if (into == null) {
            return;
        }
        String reservationId = l.reservation.id;
        String p = l.product.productId, w = l.slot.warehouseId;
        into.add(switch (kind) {
            case ORDER_PLACED -> InventoryEvent.orderPlaced(orderId, p, w, quantity, now).withReservationId(reservationId);
            case RESERVATION_HELD -> InventoryEvent.reservationHeld(reservationId, p, w, quantity, now)
                    .withExpiresAt(expiresAt);
            case RESERVATION_RELEASED -> InventoryEvent.reservationReleased(reservationId, p, w, quantity, now);
            default -> throw new IllegalArgumentException("not an in-process step: " + kind);
        });
    }

    private HoldOutcome finish(HoldOutcome outcome, List<StockAlert> alerts, List<InventoryEvent> events) {
        switch (outcome) {
            case CONFIRMED -> metrics.reservation(LedgerMetrics.Reservation.CONFIRMED);
            case CONFIRMED_AFTER_EXPIRY -> metrics.reservation(LedgerMetrics.Reservation.CONFIRMED_AFTER_EXPIRY);
            case RELEASED -> metrics.reservation(LedgerMetrics.Reservation.RELEASED);
            case EXTENDED -> metrics.reservation(LedgerMetrics.Reservation.EXTENDED);
            default -> {
            }
        }
        tell(alerts);
        tellLocal(events);
        return outcome;
    }

    /**
     * How much of each line to confirm, by index into {@code lines} (0: none): all of every active line, or
     * the part named.
     */
    private static long[] confirming(Reservation r, HoldLine[] lines, Map<List<String>, Long> part) {
        long[] out = new long[lines.length];
        if (part == null) {
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].state == HoldLine.ACTIVE) {
                    out[i] = lines[i].quantity;
                }
            }
            return out;
        }
        for (Map.Entry<List<String>, Long> p : part.entrySet()) {
            HoldLine l = r.line(p.getKey().get(0), p.getKey().get(1));
            if (l == null || l.state != HoldLine.ACTIVE || l.quantity < p.getValue()) {
                throw new InvalidEventException("quantity", p.getValue(), "quantity " + p.getValue() + " of product "
                        + p.getKey().get(0) + " at " + p.getKey().get(1) + " is more than reservation " + r.id
                        + " holds there (" + (l == null || l.state != HoldLine.ACTIVE ? 0 : l.quantity) + ")");
            }
            out[Arrays.asList(lines).indexOf(l)] = p.getValue();
        }
        return out;
    }

    /**
     * Whether every line of a lapsed reservation can still become the order: all expired (none released or
     * sold), each position still sellable for it, and the order id free. Locks of the lines' products held.
     */
    private boolean lateConfirmable(HoldLine[] lines, String orderId) {
        if (lines.length == 0) {
            return false;
        }
        for (HoldLine l : lines) {
            if (l.state != HoldLine.EXPIRED || l.slot.sellable() < l.quantity
                    || !canSell(l, l.quantity, Identities.order(orderId, l.product.productId, l.slot.warehouseId))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes {@code q} units of a line's position as the order whose identity is {@code id} (available −= q,
     * identity registered), unless that order was already applied as an event. The hold's own bookkeeping is the
     * caller's. Write lock held; {@link #canSell} said yes.
     */
    private List<StockAlert> sell(HoldLine l, long q, IdentityHash id, Instant now, List<StockAlert> alerts) {
        ProductState ps = l.product;
        Slot s = l.slot;
        IdentityTable ids = ps.identities(identitiesPerProduct);
        long fingerprint = Identities.fingerprint(q, l.reservation.id);
        if (ids.check(id.hi, id.lo, fingerprint) == IdentityTable.NEW) {
            long before = s.available;
            s.available = before - q; // canSell checked that this does not overflow
            ids.insert(id.hi, id.lo, fingerprint);
            alerts = alerts(ps, s, before, s.available, now, alerts);
        } // else the order was applied as an event already: only the hold ends
        return alerts;
    }

    /**
     * Whether {@code q} units of a line can become the order {@code id}: the order is new at that position,
     * or known with this very payload (then only the hold ends); and available cannot overflow. Write lock
     * held.
     */
    private boolean canSell(HoldLine l, long q, IdentityHash id) {
        IdentityTable ids = l.product.identities(identitiesPerProduct);
        int seen = ids.check(id.hi, id.lo, Identities.fingerprint(q, l.reservation.id));
        if (seen == IdentityTable.CONFLICT && ids.check(id.hi, id.lo, Identities.fingerprint(q, null)) != IdentityTable.DUPLICATE) {
            return false;
        }
        return seen != IdentityTable.NEW || l.slot.available - q <= l.slot.available;
    }

    private void releaseLine(HoldLine l) {
        registerRelease(l, l.quantity);
        endLine(l, HoldLine.RELEASED);
    }

    /** Remembers the identity of the {@code released} event that ends {@code q} units of a line. Write lock. */
    private void registerRelease(HoldLine l, long q) {
        IdentityHash id = Identities.reservation(EventKind.RESERVATION_RELEASED, l.reservation.id, l.product.productId,
                l.slot.warehouseId);
        IdentityTable ids = l.product.identities(identitiesPerProduct);
        long fingerprint = Identities.fingerprint(q, null);
        if (ids.check(id.hi, id.lo, fingerprint) == IdentityTable.NEW) {
            ids.insert(id.hi, id.lo, fingerprint);
        }
    }

    /**
     * Whether the line's {@code held} identity is remembered with another quantity: part of it was confirmed
     * since, and a renewed {@code held} would be a conflict everywhere. Write lock held.
     */
    private boolean heldKnownWithOtherQuantity(HoldLine l) {
        IdentityHash id = Identities.reservation(EventKind.RESERVATION_HELD, l.reservation.id, l.product.productId,
                l.slot.warehouseId);
        return l.product.identities(identitiesPerProduct).check(id.hi, id.lo, Identities.fingerprint(l.quantity, null))
                == IdentityTable.CONFLICT;
    }

    /** Whether the order whose identity is {@code id}, for {@code q} units of a line, is not yet known here. Write lock held. */
    private boolean orderIsNew(HoldLine l, long q, IdentityHash id) {
        return l.product.identities(identitiesPerProduct).check(id.hi, id.lo,
                Identities.fingerprint(q, l.reservation.id)) == IdentityTable.NEW;
    }

    private static HoldOutcome endedAs(HoldLine[] lines) {
        HoldOutcome outcome = HoldOutcome.UNKNOWN;
        for (HoldLine l : lines) {
            if (l.sold()) {
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

    private static final Comparator<ProductState> BY_PRODUCT_ID = Comparator.comparing(p -> p.productId);

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
        Arrays.sort(ps, BY_PRODUCT_ID);
        return ps;
    }

    /** Makes a new line active: counts its units as held and schedules its expiry. Write lock held. */
    private void activate(ProductState ps, HoldLine line, long expiresAtNanos) {
        line.state = HoldLine.ACTIVE;
        line.expiresAtNanos = expiresAtNanos;
        line.slot.held += line.quantity;
        if (expiresAtNanos != HoldLine.NEVER) {
            ps.scheduleExpiry(line);
        }
        metrics.activeHolds.increment(); // the line was counted open when it was added
    }

    /** Ends an active line. The line's product write lock held. */
    private void endLine(HoldLine line, byte how) {
        line.product.unschedule(line);
        line.state = how;
        line.slot.held -= line.quantity;
        metrics.activeHolds.decrement();
        reservations.settle(line.reservation, -1);
    }

    private void lapse(HoldLine line) {
        endLine(line, HoldLine.EXPIRED);
        metrics.reservation(LedgerMetrics.Reservation.EXPIRED);
    }

    private void lapseDue(ProductState ps, long nowNanos) {
        long stamp = ps.writeLock();
        try {
            ps.pollDue(nowNanos, this::lapse);
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    // ------------------------------------------------------------------------------------------ settings

    /**
     * Keeps {@code units} back from sale at the position: sellable becomes available − held − units.
     * Creates the position if the ledger has not seen it. 0 removes the safety stock.
     *
     * @throws InvalidEventException if an id is invalid or units is negative
     */
    public void setSafetyStock(String productId, String warehouseId, long units) {
        Checks.nonNegative("safety_stock", units);
        String context = " (safety stock, product " + productId + ")";
        Checks.id("product_id", productId, context);
        Checks.id("warehouse_id", warehouseId, context);
        ProductState ps = productFor(productId);
        long stamp = ps.writeLock();
        try {
            Slot s = ps.find(warehouseId);
            (s != null ? s : newSlot(ps, warehouseId)).safetyStock = units;
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    /**
     * Lets reservations of this product go below zero sellable, at each of its positions, by up to
     * {@code units}: the "continue selling" policy of commerce platforms. Units held beyond sellable stock
     * are reported as backordered ({@link ReservationResult#backordered()}, {@link Position#backordered()},
     * metric {@code inventory.backordered.units}). 0 (the default) allows no backorder.
     *
     * @throws InvalidEventException if the product id is invalid or units is negative
     */
    public void setBackorderLimit(String productId, long units) {
        Checks.nonNegative("backorder_limit", units);
        Checks.id("product_id", productId, " (backorder limit)");
        ProductState ps = productFor(productId);
        long stamp = ps.writeLock();
        try {
            ps.backorderLimit = units;
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    /**
     * Sets the position's low-stock threshold for {@link StockAlert.Type#LOW_STOCK} alerts, instead of the
     * ledger's default ({@link Builder#lowStockThreshold(long)}). Creates the position if absent.
     *
     * @throws InvalidEventException if an id is invalid or the threshold is negative or over
     *                               {@link Integer#MAX_VALUE}
     */
    public void setLowStockThreshold(String productId, String warehouseId, long threshold) {
        Checks.nonNegative("low_stock_threshold", threshold);
        if (threshold > Integer.MAX_VALUE) {
            throw new InvalidEventException("low_stock_threshold", threshold,
                    "low_stock_threshold must be <= " + Integer.MAX_VALUE + " but was " + threshold);
        }
        String context = " (low-stock threshold, product " + productId + ")";
        Checks.id("product_id", productId, context);
        Checks.id("warehouse_id", warehouseId, context);
        ProductState ps = productFor(productId);
        long stamp = ps.writeLock();
        try {
            Slot s = ps.find(warehouseId);
            ps.setLowStockThreshold(s != null ? s : newSlot(ps, warehouseId), (int) threshold);
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    /** Adds a listener of stock transitions. */
    public void addListener(StockAlertListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Adds a listener of the events that {@code tryReserve}, {@code confirm}, {@code release} and
     * {@code extend} stand for, e.g. a publisher to Kafka (see {@link LocalEventListener}).
     */
    public void addLocalEventListener(LocalEventListener listener) {
        localListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------------------------------ alerts

    /** The transitions of available from {@code before} to {@code after}, appended to {@code into}. */
    private List<StockAlert> alerts(ProductState ps, Slot s, long before, long after, Instant time,
                                    List<StockAlert> into) {
        if (before == after || listeners.isEmpty()) {
            return into;
        }
        long threshold = ps.lowStockThreshold(s, lowStockThreshold);
        into = add(into, before >= threshold && after < threshold, StockAlert.Type.LOW_STOCK, ps, s, before, after,
                threshold, time);
        into = add(into, before > 0 && after <= 0, StockAlert.Type.OUT_OF_STOCK, ps, s, before, after, threshold,
                time);
        into = add(into, before <= 0 && after > 0, StockAlert.Type.BACK_IN_STOCK, ps, s, before, after, threshold,
                time);
        return add(into, before >= 0 && after < 0, StockAlert.Type.OVERSOLD, ps, s, before, after, threshold, time);
    }

    private static List<StockAlert> add(List<StockAlert> into, boolean crossed, StockAlert.Type type, ProductState ps,
                                        Slot s, long before, long after, long threshold, Instant time) {
        if (!crossed) {
            return into;
        }
        List<StockAlert> list = into == null ? new ArrayList<>(2) : into;
        list.add(new StockAlert(type, ps.productId, s.warehouseId, before, after, threshold, time));
        return list;
    }

    private void tell(List<StockAlert> alerts) {
        if (alerts == null) {
            return;
        }
        for (StockAlert a : alerts) {
            for (StockAlertListener l : listeners) {
                try {
                    l.onAlert(a);
                } catch (RuntimeException e) {
                    metrics.listenerFailed(); // a listener's failure must not undo or block the change
                }
            }
        }
    }

    /** Tells the local-event listeners of one operation's events (none: nothing is told). No lock held. */
    private void tellLocal(List<InventoryEvent> events) {
        if (events == null || events.isEmpty()) {
            return;
        }
        List<InventoryEvent> told = List.copyOf(events);
        for (LocalEventListener l : localListeners) {
            try {
                l.onLocalEvents(told);
            } catch (RuntimeException e) {
                metrics.listenerFailed(); // a listener's failure must not undo or block the change
            }
        }
    }

    /** A list to collect an operation's local events in, or null when nobody listens. */
    private List<InventoryEvent> localEvents() {
        return localListeners.isEmpty() ? null : new ArrayList<>(2);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The product's state, made if new. Called with no product lock held (see {@link #productCreation}). */
    private ProductState productFor(String productId) {
        ProductState ps = products.get(productId);
        if (ps != null) {
            return ps;
        }
        long stamp = productCreation.readLock();
        try {
            return products.computeIfAbsent(productId, ProductState::new);
        } finally {
            productCreation.unlockRead(stamp);
        }
    }

    private Slot newSlot(ProductState ps, String warehouseId) {
        return ps.slot(warehouseId, metrics.positions::increment);
    }

    private static long addChecked(long value, long delta, String what, InventoryEvent e) {
        try {
            return Math.addExact(value, delta);
        } catch (ArithmeticException overflow) {
            throw new InvalidEventException("quantity", e.quantity(), "quantity " + e.quantity() + " would overflow "
                    + what + " (" + value + ") of product " + e.productId() + " at " + e.warehouseId() + " (" + e
                    .kind().idField() + " " + e.id() + ")");
        }
    }

    /** The clock's instant in epoch nanoseconds (read only where holds can lapse). */
    private long nowNanos() {
        return Times.nanos(clock.instant());
    }

    // ------------------------------------------------------------------------------------------ builder

    /**
     * Configures an {@link InventoryLedger}. Every option is checked when it is set; the javadoc says the
     * default and what is refused.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private MeterRegistry registry;
        private int identitiesPerProduct = 1024;
        private int retainEndedReservations = 100_000;
        private long lowStockThreshold = 10;
        private Duration defaultHoldTtl;
        private AllocationRule allocationRule = AllocationRule.mostSellable();
        private final List<StockAlertListener> listeners = new ArrayList<>();
        private final List<LocalEventListener> localListeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * The clock that decides when holds lapse and stamps the ledger's own actions. Default
         * {@link Clock#systemUTC()}; tests pass a clock they move by hand.
         *
         * @throws NullPointerException if null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where to publish metrics: {@code inventory.events} (tags {@code kind}, {@code outcome} = applied,
         * duplicate, conflict, refused), {@code inventory.reservations} (tag {@code outcome}),
         * {@code inventory.positions}, {@code inventory.holds.active}, {@code inventory.identities.remembered},
         * {@code inventory.alert.listener.failures}. Default: none. Give each ledger its own registry (or a
         * registry per ledger name): Micrometer keeps the first gauge registered under a name and tags.
         *
         * @throws NullPointerException if null
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * How many event identities each product remembers for duplicate detection, newest first (rounded
         * up to a power of two). Memory: about 32 bytes per identity once a product's table is full, up to
         * about 64 just after it doubles (BENCHMARKS.md), so products × this × 32 bytes at the bound; a
         * product with few events costs little. Default
         * 1,024. Replays after a restart are made exact by stored offsets, not by this memory.
         *
         * @throws IllegalArgumentException if not between 1 and 2<sup>24</sup>
         */
        public Builder identitiesPerProduct(int identities) {
            if (identities < 1 || identities > (1 << 24)) {
                throw new IllegalArgumentException("identitiesPerProduct must be between 1 and 16777216 but was "
                        + identities);
            }
            this.identitiesPerProduct = identities;
            return this;
        }

        /**
         * How many ended reservations (confirmed, released, expired) the ledger keeps so that a repeated
         * {@code confirm} or {@code release}, or a late {@code held} after its {@code released}, is still
         * recognised. Older ones are forgotten. Roughly 200 bytes each. Default 100,000.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder retainEndedReservations(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("retainEndedReservations must be >= 0 but was " + count);
            }
            this.retainEndedReservations = count;
            return this;
        }

        /**
         * The default low-stock threshold: a {@link StockAlert.Type#LOW_STOCK} alert is raised when a
         * position's available falls below it. Default 10, as in the article's alert sink.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder lowStockThreshold(long threshold) {
            if (threshold < 0) {
                throw new IllegalArgumentException("lowStockThreshold must be >= 0 but was " + threshold);
            }
            this.lowStockThreshold = threshold;
            return this;
        }

        /**
         * Time to live of a {@code held} event that carries no {@code expires_at}, counted from its event
         * time. Default: none (such a hold lasts until released or consumed, as in the article).
         *
         * @throws IllegalArgumentException if zero or negative
         * @throws NullPointerException     if null
         */
        public Builder defaultHoldTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.isZero() || ttl.isNegative()) {
                throw new IllegalArgumentException("defaultHoldTtl must be > 0 but was " + ttl);
            }
            this.defaultHoldTtl = ttl;
            return this;
        }

        /**
         * How "any warehouse" basket lines pick their warehouse unless a call names a rule. Default
         * {@link AllocationRule#mostSellable()}, whole lines only.
         *
         * @throws NullPointerException if null
         */
        public Builder allocationRule(AllocationRule rule) {
            this.allocationRule = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /** Adds a listener of stock transitions (see {@link StockAlertListener}). */
        public Builder listener(StockAlertListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Adds a listener of the events in-process operations stand for (see {@link LocalEventListener}). */
        public Builder localEventListener(LocalEventListener listener) {
            localListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** A new, empty ledger. */
        public InventoryLedger build() {
            return new InventoryLedger(this);
        }
    }
}
