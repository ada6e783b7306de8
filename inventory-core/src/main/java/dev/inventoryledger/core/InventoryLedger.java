package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.CheckpointImage;
import dev.inventoryledger.core.internal.DecisionGuard;
import dev.inventoryledger.core.internal.Checks;
import dev.inventoryledger.core.internal.EventApplier;
import dev.inventoryledger.core.internal.HoldActions;
import dev.inventoryledger.core.internal.HoldBook;
import dev.inventoryledger.core.internal.HoldSweeper;
import dev.inventoryledger.core.internal.IdentityRegister;
import dev.inventoryledger.core.internal.LedgerAccess;
import dev.inventoryledger.core.internal.LedgerAuditor;
import dev.inventoryledger.core.internal.LedgerMetrics;
import dev.inventoryledger.core.internal.LedgerOperation;
import dev.inventoryledger.core.internal.Notifier;
import dev.inventoryledger.core.internal.PositionSettings;
import dev.inventoryledger.core.internal.ProductDirectory;
import dev.inventoryledger.core.internal.Reads;
import dev.inventoryledger.core.internal.ReservationIndex;
import dev.inventoryledger.core.internal.Reserver;
import dev.inventoryledger.core.internal.Times;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

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
 *   <li>{@link #tryReserve(String, String, long, String, Duration)} holds units only if they are sellable at that
 *       instant, atomically; {@link #confirm(String, String)} turns a hold into an order, {@link #release(String)}
 *       gives it back, and a hold lapses by itself when its time to live passes (swept too, if asked).</li>
 *   <li>Baskets: {@link #tryReserve(String, List, Duration)} holds lines all or nothing ("any warehouse" lines
 *       placed by an {@link AllocationRule}); {@link #extend(String, Duration)}, {@link #confirm(String, String,
 *       List)} and {@link #release(String, List)} renew or end part of one; backorders via
 *       {@link #setBackorderLimit(String, long)}.</li>
 *   <li>{@link #outOfStock()} and {@link #belowReorderThreshold(ProductCatalog)} are the article's two queries;
 *       {@link #positions()} iterates everything; {@link #audit()} checks held counters; listeners hear of
 *       transitions ({@link StockAlertListener}) and of in-process operations ({@link LocalEventListener}).</li>
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
 * Per position, as {@link Position} defines them; {@code available} may go negative: an oversell, reported, never
 * hidden. Without expiry and safety stock they equal the article's {@code live_inventory} and
 * {@code live_inventory_with_holds} SQL over the same events, duplicates removed, in any order, except where the
 * sums would show more sellable than there is: a release of more units than its hold ends it as a
 * {@link ApplyOutcome#CONFLICT}, a {@code released} before its {@code held} counts zero until the hold arrives,
 * and an order with a {@code reservation_id} consumes that hold.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. Each product has its own lock: writers to different products never contend; readers take no
 * lock in the common case (an optimistic read, validated; else the read lock, for a few field reads) and
 * never see a position torn between two moments. No interleaving of threads lets two holds share a unit.
 */
public final class InventoryLedger implements AutoCloseable {
    static {
        LedgerAccess.register(ledger -> ledger.image, ledger -> ledger.identities, ledger -> ledger.guard);
    }

    private final Clock clock;
    private final AllocationRule allocationRule;
    private final ProductDirectory products;
    private final HoldBook holds;
    private final Notifier notifier;
    private final Reads reads;
    private final EventApplier events;
    private final Reserver reserver;
    private final HoldActions holdActions;
    private final PositionSettings settings;
    private final CheckpointImage image;
    private final LedgerAuditor auditor;
    private final HoldSweeper sweeper;
    private final IdentityRegister identities;
    private final DecisionGuard guard = new DecisionGuard();

    private InventoryLedger(Builder b) {
        this.clock = b.clock;
        this.allocationRule = b.allocationRule;
        LedgerMetrics metrics = new LedgerMetrics(b.registry);
        this.products = new ProductDirectory();
        ReservationIndex reservations = new ReservationIndex(b.retainEndedReservations);
        this.holds = new HoldBook(reservations, metrics);
        metrics.gauges(products::positionCount, holds::activeHolds, products::rememberedIdentities);
        this.notifier = new Notifier(b.listeners, b.localListeners, b.lowStockThreshold, metrics);
        this.identities = new IdentityRegister(b.dedupHorizon, b.maxRememberedIdentities, clock);
        metrics.forgetting(identities);
        LedgerOperation.Services services = new LedgerOperation.Services(products, identities, reservations, holds,
                notifier, metrics, clock);
        this.reads = new Reads(services);
        this.events = new EventApplier(services, b.defaultHoldTtl, b.applyLateEvents);
        this.reserver = new Reserver(services);
        this.holdActions = new HoldActions(services);
        this.settings = new PositionSettings(services);
        this.image = new CheckpointImage(services);
        this.auditor = new LedgerAuditor(services);
        this.sweeper = HoldSweeper.start(holdActions, metrics, b.sweep);
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
     *         changed); {@link ApplyOutcome#CONFLICT} also for an over-release (applied: see the class comment)
     * @throws NullPointerException   if the event is null
     * @throws InvalidEventException if a count would overflow; nothing changed
     */
    public ApplyOutcome apply(InventoryEvent event) {
        return events.apply(Objects.requireNonNull(event, "event"));
    }

    // ------------------------------------------------------------------------------------------ reads

    /** Units at the position: the sum of the stock deltas applied (0 if never seen). Allocation-free. */
    public long available(String productId, String warehouseId) {
        return reads.read(productId, warehouseId, Reads.AVAILABLE);
    }

    /** Units in active holds at the position (never one whose expiry has come: the read lapses it). */
    public long held(String productId, String warehouseId) {
        return reads.read(productId, warehouseId, Reads.HELD);
    }

    /**
     * What checkout may still sell at the position: available − held − safety stock (negative when oversold;
     * saturating). Allocation-free; reads the clock only when the position has holds that can lapse.
     */
    public long sellable(String productId, String warehouseId) {
        return reads.read(productId, warehouseId, Reads.SELLABLE);
    }

    /** The position as one immutable snapshot; all zero with a null {@code lastUpdated} if never seen. */
    public Position position(String productId, String warehouseId) {
        return reads.position(Objects.requireNonNull(productId, "productId"),
                Objects.requireNonNull(warehouseId, "warehouseId"));
    }

    /**
     * Sellable units of a product across its warehouses, read at one moment, an oversold warehouse counting
     * as 0 (its shortfall cannot be filled from another's stock, and must not hide it).
     */
    public long sellable(String productId) {
        return reads.sellable(productId);
    }

    /** Available units of a product summed across its warehouses (may be negative), read at one moment. */
    public long available(String productId) {
        return reads.available(productId);
    }

    /** Every position (each product's read at one moment), in no particular order: a snapshot. */
    public List<Position> positions() {
        return reads.positions();
    }

    /**
     * Products whose available summed across warehouses is ≤ 0, sorted: the article's out-of-stock query,
     * including products known only from reservation events or settings (available 0).
     */
    public List<String> outOfStock() {
        return reads.outOfStock();
    }

    /**
     * Positions whose available is below their product's reorder threshold, sorted by product then warehouse:
     * the article's reorder query. Products the catalog does not know are left out.
     */
    public List<Position> belowReorderThreshold(ProductCatalog catalog) {
        return reads.belowReorderThreshold(Objects.requireNonNull(catalog, "catalog"));
    }

    /** Active holds (not confirmed, released or expired), ledger-wide; a lapsed one leaves when read or swept. */
    public long activeHolds() {
        return holds.activeHolds();
    }

    /**
     * A reservation's lines, each with the units it was held for, whatever its
     * state now; empty if unknown here (see {@link Builder#retainEndedReservations(int)}). For routing, not counting.
     */
    public List<ReservationLine> reservationLines(String reservationId) {
        return reads.reservationLines(Objects.requireNonNull(reservationId, "reservationId"));
    }

    /** Event identities remembered now for duplicate detection, ledger-wide (a racy sum, for metrics). */
    public long rememberedIdentities() {
        return products.rememberedIdentities();
    }

    /**
     * Checks every position's held counter against its active holds, taking every product's lock at once (writers
     * wait: for tests, health checks, occasional use). Sets {@code inventory.audit.discrepancies}.
     */
    public LedgerAudit audit() {
        return auditor.audit();
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    /** As {@link #checkpoint(Path, Map)} with no source offsets. */
    public long checkpoint(Path file) throws IOException {
        return checkpoint(file, Map.of());
    }

    /**
     * Writes the whole state — positions, settings, holds (active, and ended ones still remembered) and remembered
     * identities — to {@code file}, with {@code sourceOffsets} (opaque: a Kafka feed's resume points). Atomic
     * (written beside, forced, renamed over: a crash leaves the previous checkpoint or this one, whole, and a later
     * one removes what it left), versioned, checksummed. Consistent: every product is held still (its read lock;
     * point reads go on) while the state is copied, then encoded and written with no lock held: writers wait for
     * the copy only (about 0.3 s for 1M positions and 10M identities, BENCHMARKS.md); a basket is never in it by
     * halves. Pass the offsets of exactly the events applied so far (the feed does, between records).
     *
     * @return the size of the checkpoint in bytes
     * @throws IOException if the file cannot be written (the previous checkpoint is then left as it was)
     */
    public long checkpoint(Path file, Map<String, Long> sourceOffsets) throws IOException {
        Objects.requireNonNull(file, "file");
        return image.write(file, new TreeMap<>(Objects.requireNonNull(sourceOffsets, "sourceOffsets")));
    }

    /**
     * Loads a checkpoint written by {@link #checkpoint(Path, Map)} into this new, unused ledger, verifying the
     * whole file first: a file that is not a checkpoint, of an unknown version, truncated or corrupt is refused and
     * the ledger stays empty. This ledger's settings apply from here on; holds due meanwhile lapse as usual.
     *
     * @return the source offsets stored with the checkpoint
     * @throws IOException            if the file cannot be read, or is refused (the message says why)
     * @throws IllegalStateException  if this ledger already holds state
     */
    public Map<String, Long> restore(Path file) throws IOException {
        CheckpointFile.Contents c = CheckpointFile.read(Objects.requireNonNull(file, "file"));
        image.install(c);
        return Map.copyOf(c.offsets());
    }

    // ------------------------------------------------------------------------------------------ holds

    /**
     * Holds {@code quantity} units at the position for {@code ttl}, only if that many are sellable at this instant.
     * Atomic: no interleaving of any number of threads lets two holds share a unit. Idempotent: the same
     * reservation asked again while active is {@link ReservationResult.Status#ALREADY_HELD}; an id is single-use:
     * in use with other lines, or ended, it gives {@link ReservationResult.Status#ID_IN_USE}. The hold counts while
     * the clock is before {@code now + ttl} and ends exactly once (confirm, release or expiry). The identity of the
     * {@code held} event it stands for is registered: its echo is a duplicate.
     *
     * @throws InvalidEventException if an id is null, blank or too long, quantity ≤ 0, or the ttl null or ≤ 0
     */
    public ReservationResult tryReserve(String productId, String warehouseId, long quantity, String reservationId,
                                        Duration ttl) {
        guard.check("tryReserve");
        if (Checks.isId(reservationId) && Checks.isId(warehouseId) && Checks.isId(productId) && quantity > 0
                && ttl != null && !ttl.isNegative() && !ttl.isZero()) {
            ReservationResult decided = reserver.reserveOne(productId, warehouseId, quantity, reservationId, ttl);
            if (decided != null) {
                return decided; // the flash-sale path decided it; anything else the basket path decides
            }
        } else { // refused below, with the field and the value named; the messages are built only here
            String context = " (reservation " + reservationId + ", product " + productId + ")";
            Checks.id("reservation_id", reservationId, context);
            Checks.id("warehouse_id", warehouseId, context);
        }
        return tryReserve(reservationId, List.of(new ReservationLine(productId, warehouseId, quantity)), ttl);
    }

    /**
     * Holds a basket, all or nothing: every line is checked and held in one atomic step over all its products
     * (locked in a fixed order, so concurrent baskets never deadlock and never leave a partial hold). Lines naming
     * the same product and warehouse are summed before the check; "any warehouse" lines are placed by the ledger's
     * default rule ({@link Builder#allocationRule(AllocationRule)}). If any line cannot be met, nothing is held and
     * {@link ReservationResult#shortfalls()} says which lines fell short and by how much. {@code confirm},
     * {@code release}, {@code extend} and expiry act on the whole basket. Idempotent like the single-line form.
     *
     * @throws InvalidEventException if the id is invalid, the list null or empty, or the ttl ≤ 0; nothing changed
     */
    public ReservationResult tryReserve(String reservationId, List<ReservationLine> lines, Duration ttl) {
        return tryReserve(reservationId, lines, ttl, allocationRule);
    }

    /**
     * As {@link #tryReserve(String, List, Duration)}, placing "any warehouse" lines by {@code rule}.
     *
     * @throws InvalidEventException as {@link #tryReserve(String, List, Duration)}; nothing changed
     */
    public ReservationResult tryReserve(String reservationId, List<ReservationLine> lines, Duration ttl,
                                        AllocationRule rule) {
        guard.check("tryReserve");
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.ttl(ttl, context);
        Objects.requireNonNull(rule, "rule");
        Checks.lines(lines, context);
        return reserver.reserve(reservationId, lines, ttl, rule);
    }

    /**
     * Turns the reservation's hold into order {@code orderId}: held and available go down by what it holds
     * in one step, on every active line. The ledger registers the identity of the order event it stands for
     * (one per line), so its echo from Kafka counts as a duplicate; if that order was already applied as an
     * event, only the hold ends. Idempotent: a later call reports how the hold ended and changes nothing.
     *
     * @return {@link HoldOutcome#CONFIRMED}, or how the hold had already ended ({@link HoldOutcome#EXPIRED}
     *         if its time to live passed first: nothing is sold), or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if an id is null, blank or too long
     */
    public HoldOutcome confirm(String reservationId, String orderId) {
        guard.check("confirm");
        if (!Checks.isId(reservationId) || !Checks.isId(orderId)) {
            String context = " (reservation " + reservationId + ")"; // built only to refuse
            Checks.id("reservation_id", reservationId, context);
            Checks.id("order_id", orderId, context);
        }
        return holdActions.confirm(reservationId, orderId);
    }

    /**
     * Confirms part of a basket, for split shipments: each named line (product, warehouse, quantity ≤ what is held
     * there) becomes order {@code orderId} atomically; the rest stays held, to be confirmed later (another order
     * id) or released. A part line naming a position the basket does not hold, or more than it holds there, is
     * refused and nothing changes. Other instances learn of it as a plain order and the {@code released} of its
     * units ({@link LocalEventListener}).
     *
     * @return {@link HoldOutcome#CONFIRMED}, {@link HoldOutcome#ORDER_CONFLICT}, or how the hold had ended
     * @throws InvalidEventException if an id is invalid, the part is empty, or names what is not held
     */
    public HoldOutcome confirm(String reservationId, String orderId, List<ReservationLine> part) {
        guard.check("confirm");
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.id("order_id", orderId, context);
        return holdActions.confirmPart(reservationId, orderId, Checks.partLines(part, "confirm", context));
    }

    /**
     * Releases all the reservation still holds: sellable again at once. Idempotent, like {@link #confirm}.
     *
     * @return {@link HoldOutcome#RELEASED}, or how the hold had already ended, or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if the id is null, blank or too long
     */
    public HoldOutcome release(String reservationId) {
        guard.check("release");
        Checks.id("reservation_id", reservationId, " (release)");
        return holdActions.release(reservationId);
    }

    /**
     * Releases part of a hold, as {@link #confirm(String, String, List)} confirms part (same lines, same refusals:
     * nothing changes): each line gives its units back atomically; the rest stays held with the same expiry, and a
     * line that gives back all it holds ends. The identity of the {@code released} event each line stands for is
     * registered (a line's later releases carry an {@code event_id} of their own): its echo counts once.
     *
     * @return {@link HoldOutcome#RELEASED}, or how the hold had ended, or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if the id is invalid, the part is empty, or names what is not held
     */
    public HoldOutcome release(String reservationId, List<ReservationLine> part) {
        guard.check("release");
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        return holdActions.releasePart(reservationId, Checks.partLines(part, "release", context));
    }

    /**
     * Renews a hold while payment runs: every active line now lapses at {@code now + ttl}, or later if it already
     * did (a renewal never shortens a hold, so that other instances, which take only a later {@code expires_at},
     * agree). A lapsed hold is not revived (a later {@code confirm} re-takes its units if still sellable).
     *
     * @return {@link HoldOutcome#EXTENDED}, or how the hold had ended, or {@link HoldOutcome#UNKNOWN}
     * @throws InvalidEventException if the id is invalid or the ttl is not positive
     */
    public HoldOutcome extend(String reservationId, Duration ttl) {
        guard.check("extend");
        String context = " (reservation " + reservationId + ")";
        Checks.id("reservation_id", reservationId, context);
        Checks.ttl(ttl, context);
        return holdActions.extend(reservationId, Times.plusNanos(clock.instant(), ttl));
    }

    /**
     * Lapses every hold whose expiry the clock has reached, now, rather than when its position is next read, and
     * returns how many lapsed. Reads never count a lapsed hold either way; to keep {@link #activeHolds()} and the
     * metrics current, call this on a schedule, or let the ledger: {@link Builder#expireHoldsEvery}.
     */
    public int expireHolds() {
        return holdActions.expireDue();
    }

    /** Stops the scheduled hold sweep, if any (one running finishes); nothing else changes. Idempotent. */
    @Override
    public void close() {
        sweeper.stop();
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
        settings.setSafetyStock(productId, warehouseId, units);
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
        settings.setBackorderLimit(productId, units);
    }

    /**
     * Sets the position's low-stock threshold for {@link StockAlert.Type#LOW_STOCK} alerts, instead of the
     * ledger's default ({@link Builder#lowStockThreshold(long)}). Creates the position if absent.
     *
     * @throws InvalidEventException if an id is invalid or the threshold is not in 0..{@link Integer#MAX_VALUE}
     */
    public void setLowStockThreshold(String productId, String warehouseId, long threshold) {
        Checks.nonNegative("low_stock_threshold", threshold);
        Checks.atMost("low_stock_threshold", threshold, Integer.MAX_VALUE);
        String context = " (low-stock threshold, product " + productId + ")";
        Checks.id("product_id", productId, context);
        Checks.id("warehouse_id", warehouseId, context);
        settings.setLowStockThreshold(productId, warehouseId, (int) threshold);
    }

    /** Adds a listener of stock transitions. */
    public void addListener(StockAlertListener listener) {
        notifier.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Adds a listener of the events in-process operations stand for, e.g. a publisher to Kafka. */
    public void addLocalEventListener(LocalEventListener listener) {
        notifier.addLocalListener(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------------------------------ builder

    /**
     * Configures an {@link InventoryLedger}. Every option is checked when set: its javadoc gives its default and
     * what it refuses, and a null argument is refused with a {@link NullPointerException} naming it.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private MeterRegistry registry;
        private Duration dedupHorizon = Duration.ofHours(24);
        private long maxRememberedIdentities = 16_000_000;
        private boolean applyLateEvents;
        private int retainEndedReservations = 100_000;
        private long lowStockThreshold = 10;
        private Duration defaultHoldTtl;
        private AllocationRule allocationRule = AllocationRule.mostSellable();
        private HoldSweeper.Schedule sweep;
        private final List<StockAlertListener> listeners = new ArrayList<>();
        private final List<LocalEventListener> localListeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * The clock that decides when holds lapse and stamps the ledger's own actions. Default
         * {@link Clock#systemUTC()}; tests pass a clock they move by hand.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where metrics go: {@code inventory.events} (tags {@code kind}, {@code outcome} = applied, duplicate,
         * conflict, refused), {@code inventory.reservations} (tag {@code outcome}), {@code inventory.positions},
         * {@code inventory.holds.active}, {@code inventory.identities.remembered},
         * {@code inventory.alert.listener.failures}, {@code inventory.holds.sweep.failures}. Default: none. Give
         * each ledger its own registry (or one per name): Micrometer keeps the first gauge per name and tags.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * How long, in event time, identities are remembered for duplicate detection: the window in which a
         * producer may redeliver an event. A product forgets an identity once its event time is more than this
         * before the newest event time the product has seen (the history's own clock, never the wall clock: a
         * months-old history replays, rebuilds and restores as it did when new). Within it every redelivery
         * counts once, however busy the product. An event at or before the newest time a product has forgotten,
         * whose identity is not remembered, could be a redelivery of a forgotten one: it is refused as
         * {@link ApplyOutcome#LATE} (see {@link #applyLateEvents(boolean)}). Memory follows event rate × horizon
         * plus the catalog: {@value dev.inventoryledger.core.internal.IdentityTable#BYTES_PER_IDENTITY} bytes per
         * identity in a full table, up to about 40 in one that has grown lately (BENCHMARKS.md), under
         * {@link #maxRememberedIdentities(long)}. Default 24 hours: producer retries come
         * within seconds, a restarted job's resend within minutes to hours, and a day covers a daily batch run
         * again; at the article's rates (tens of events a second) it is a few million identities.
         *
         * @throws IllegalArgumentException if shorter than a second
         */
        public Builder dedupHorizon(Duration horizon) {
            Checks.argument(Objects.requireNonNull(horizon, "horizon").getSeconds() >= 1,
                    "dedupHorizon must be at least 1 s but was %s", horizon);
            this.dedupHorizon = horizon;
            return this;
        }

        /**
         * The most identities the ledger keeps in all, whatever the horizon: its memory bound (about
         * {@value dev.inventoryledger.core.internal.IdentityTable#BYTES_PER_IDENTITY} bytes each in a full table,
         * up to twice that in one that has just grown: the default is about 350 to 700 MB at most). Reached, a
         * product whose table is full forgets its oldest identity before the
         * horizon passes it (counted as {@code inventory.identities.forgotten{reason=memory}}); a redelivery of it
         * is then {@link ApplyOutcome#LATE}, never counted silently. Default 16,000,000.
         *
         * @throws IllegalArgumentException if below 1,000
         */
        public Builder maxRememberedIdentities(long identities) {
            Checks.argument(identities >= 1_000, "maxRememberedIdentities must be >= 1000 but was %s", identities);
            this.maxRememberedIdentities = identities;
            return this;
        }

        /**
         * What {@link InventoryLedger#apply} does with a {@link ApplyOutcome#LATE late} event (one that might be a
         * redelivery of an identity already forgotten): by default ({@code false}) it is refused, changing
         * nothing, and returned as {@code LATE} (the Kafka feed dead-letters it with the reason, so nothing is
         * lost); {@code true} applies it and returns {@code APPLIED} (counted as
         * {@code inventory.events{outcome=late}}), for a shop that knows its late events are new.
         */
        public Builder applyLateEvents(boolean apply) {
            this.applyLateEvents = apply;
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
            Checks.argument(count >= 0, "retainEndedReservations must be >= 0 but was %s", count);
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
            Checks.argument(threshold >= 0, "lowStockThreshold must be >= 0 but was %s", threshold);
            this.lowStockThreshold = threshold;
            return this;
        }

        /**
         * Time to live of a {@code held} event that carries no {@code expires_at}, counted from its event
         * time. Default: none (such a hold lasts until released or consumed, as in the article).
         *
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder defaultHoldTtl(Duration ttl) {
            Checks.argument(!Objects.requireNonNull(ttl, "ttl").isZero() && !ttl.isNegative(),
                    "defaultHoldTtl must be > 0 but was %s", ttl);
            this.defaultHoldTtl = ttl;
            return this;
        }

        /**
         * How "any warehouse" basket lines pick their warehouse unless a call names a rule. Default
         * {@link AllocationRule#mostSellable()}, whole lines only.
         */
        public Builder allocationRule(AllocationRule rule) {
            this.allocationRule = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * Lapses due holds every {@code period} (end of one sweep to start of the next) as
         * {@link InventoryLedger#expireHolds()} does, so that {@code activeHolds()} and the meters follow expiry
         * without a read; on the library's one daemon thread, {@code inventory-ledger-hold-sweeper}, started when
         * first needed. Default: off. Ends at {@link InventoryLedger#close()} or once the ledger is garbage (held
         * weakly). A sweep that throws is counted ({@code inventory.holds.sweep.failures}); the next one runs.
         *
         * @throws IllegalArgumentException if shorter than 1 ms or longer than 2<sup>63</sup>−1 ns
         */
        public Builder expireHoldsEvery(Duration period) {
            return expireHoldsEvery(period, HoldSweeper.sharedScheduler());
        }

        /**
         * As {@link #expireHoldsEvery(Duration)}, on {@code scheduler}: {@link #build()} schedules a task there
         * (throwing what it throws if refused) that {@code close()} cancels; the ledger never shuts it down.
         *
         * @throws IllegalArgumentException if the period is shorter than 1 ms or longer than 2<sup>63</sup>−1 ns
         */
        public Builder expireHoldsEvery(Duration period, ScheduledExecutorService scheduler) {
            this.sweep = new HoldSweeper.Schedule(period, scheduler);
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
