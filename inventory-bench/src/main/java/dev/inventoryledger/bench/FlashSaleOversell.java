package dev.inventoryledger.bench;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * A flash sale of one SKU, played twice on the same arrival pattern, counting the units oversold:
 * <ul>
 *   <li><b>(a) the reference article's pattern</b>: each buyer reads the live view of {@code available} and,
 *       if it shows enough, places an order. The engine takes every order into its true count at once, but
 *       the view buyers read is a copy refreshed once per barrier ({@code --refresh-ms}, default 1,000 ms, the
 *       seed's streaming engine's barrier). Between two barriers every buyer sees the same number, so the
 *       true count goes negative: units oversold = max(0, −final available).</li>
 *   <li><b>(b) the ledger</b>: {@link InventoryLedger#tryReserve} when the buyer arrives, then
 *       {@link InventoryLedger#confirm} after checkout, or {@link InventoryLedger#release} / a lapsed hold for
 *       the buyers who walk away. It must oversell nothing; {@link #main} exits with status 1 if it did.</li>
 * </ul>
 * Buyers arrive at seeded random instants spread uniformly over {@code --arrival-ms}, each wanting 1 or 2
 * units; {@code --abandon} of them walk away after looking (in (b) half release their hold and half let
 * its {@code --hold-ttl-ms} lapse); the others take {@code --checkout-ms} to pay, then order (a) or confirm
 * (b). Buyers run on a pool of {@code --threads} threads.
 *
 * <p>Run: {@code java -cp inventory-bench/target/benchmarks.jar dev.inventoryledger.bench.FlashSaleOversell
 * [--units=100] [--buyers=5000] [--arrival-ms=3000] [--refresh-ms=1000] [--checkout-ms=20] [--abandon=0.2]
 * [--hold-ttl-ms=250] [--threads=64] [--seed=42]}. Exit status: 0, 1 if (b) oversold (or its holds do not
 * add up), 64 on a usage error.
 */
public final class FlashSaleOversell {
    static final String PRODUCT = "SKU-FLASH";
    static final String WAREHOUSE = "WH-1";
    private static final Set<String> OPTIONS = Set.of("units", "buyers", "arrival-ms", "refresh-ms", "checkout-ms",
            "abandon", "hold-ttl-ms", "threads", "seed");

    private FlashSaleOversell() {
    }

    /**
     * The sale's sizes and timings.
     *
     * @param units       units in stock when the sale opens
     * @param buyers      how many buyers arrive
     * @param arrivalMs   buyers arrive spread over this many milliseconds from the opening
     * @param refreshMs   (a): the live view is refreshed from the true count once per this period
     * @param checkoutMs  how long paying takes, between looking (a) or holding (b) and ordering
     * @param abandonRate share of buyers who walk away after looking, in [0, 1]
     * @param holdTtlMs   (b): time to live of a hold
     * @param threads     threads the buyers run on
     * @param seed        seed of the arrival pattern
     */
    record Settings(int units, int buyers, long arrivalMs, long refreshMs, long checkoutMs, double abandonRate,
                    long holdTtlMs, int threads, long seed) {
        Settings {
            positive("units", units);
            positive("buyers", buyers);
            atLeastZero("arrival-ms", arrivalMs);
            positive("refresh-ms", refreshMs);
            atLeastZero("checkout-ms", checkoutMs);
            if (!(abandonRate >= 0 && abandonRate <= 1)) {
                throw new IllegalArgumentException("--abandon must be between 0 and 1 but was " + abandonRate);
            }
            positive("hold-ttl-ms", holdTtlMs);
            positive("threads", threads);
        }

        static Settings defaults() {
            return new Settings(100, 5_000, 3_000, 1_000, 20, 0.2, 250, 64, 42);
        }

        /** The defaults, overridden by the command line's options. */
        static Settings parse(String... args) {
            Flags f = Flags.parse(args, OPTIONS);
            Settings d = defaults();
            return new Settings(f.integer("units", d.units), f.integer("buyers", d.buyers),
                    f.longValue("arrival-ms", d.arrivalMs), f.longValue("refresh-ms", d.refreshMs),
                    f.longValue("checkout-ms", d.checkoutMs), f.decimal("abandon", d.abandonRate),
                    f.longValue("hold-ttl-ms", d.holdTtlMs), f.integer("threads", d.threads),
                    f.longValue("seed", d.seed));
        }

        private static void positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException("--" + name + " must be > 0 but was " + value);
            }
        }

        private static void atLeastZero(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException("--" + name + " must be >= 0 but was " + value);
            }
        }
    }

    /** Whether and how a buyer walks away after looking. */
    enum Walkaway {
        /** Pays and orders. */
        NONE,
        /** Walks away; in (b) releases the hold when checkout would have ended. */
        RELEASES,
        /** Walks away; in (b) leaves the hold to lapse. */
        LETS_LAPSE
    }

    /**
     * One buyer of the arrival pattern.
     *
     * @param index        the buyer's number, part of its cart and order ids
     * @param arrivalNanos when the buyer arrives, after the opening
     * @param wants        units wanted, 1 or 2
     * @param walkaway     whether and how the buyer walks away
     */
    record Buyer(int index, long arrivalNanos, int wants, Walkaway walkaway) {
    }

    /**
     * How one run of the sale ended.
     *
     * @param ordersAccepted     orders placed (a) or confirmed (b)
     * @param unitsSold          units in those orders
     * @param ordersBeyondStock  accepted orders that took the units sold past the stock
     * @param finalAvailable     the true available count once every order is in
     * @param turnedAway         buyers who were shown (a) or could hold (b) fewer units than they wanted
     * @param walkedAway         buyers who could have bought but walked away
     * @param lapsedBeforePaying (b): confirms that found the hold lapsed and its units gone (a refund)
     * @param viewRefreshes      (a): barriers that refreshed the view during the sale; 0 for (b)
     * @param holdsAddUp         (b): the ledger's audit found every held counter equal to its holds
     */
    record Outcome(int ordersAccepted, long unitsSold, int ordersBeyondStock, long finalAvailable, int turnedAway,
                   int walkedAway, int lapsedBeforePaying, int viewRefreshes, boolean holdsAddUp) {
        long unitsOversold() {
            return Math.max(0, -finalAvailable);
        }
    }

    /**
     * Both runs of one sale.
     *
     * @param settings   the sale
     * @param liveView   (a) read the live view, then order
     * @param ledger     (b) tryReserve, then confirm
     */
    record Report(Settings settings, Outcome liveView, Outcome ledger) {
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Flags.settingsOrExit(args, Settings::parse,
                "usage: FlashSaleOversell [--units=100] [--buyers=5000] [--arrival-ms=3000] "
                        + "[--refresh-ms=1000] [--checkout-ms=20] [--abandon=0.2] [--hold-ttl-ms=250] [--threads=64] "
                        + "[--seed=42]");
        Report report = run(settings);
        System.out.print(format(report));
        if (report.ledger().unitsOversold() > 0 || !report.ledger().holdsAddUp()) {
            System.exit(1);
        }
    }

    /** Plays the sale with the live view (a), then with the ledger (b), on the same arrival pattern. */
    static Report run(Settings s) throws InterruptedException {
        List<Buyer> buyers = arrivals(s);
        return new Report(s, readLiveViewThenOrder(s, buyers), reserveThenConfirm(s, buyers));
    }

    /** The seeded arrival pattern, in arrival order. */
    static List<Buyer> arrivals(Settings s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        long window = TimeUnit.MILLISECONDS.toNanos(s.arrivalMs());
        List<Buyer> buyers = new ArrayList<>(s.buyers());
        for (int i = 0; i < s.buyers(); i++) {
            long at = window == 0 ? 0 : random.nextLong(window);
            int wants = 1 + random.nextInt(2);
            Walkaway w = random.nextDouble() >= s.abandonRate() ? Walkaway.NONE
                    : random.nextBoolean() ? Walkaway.RELEASES : Walkaway.LETS_LAPSE;
            buyers.add(new Buyer(i, at, wants, w));
        }
        buyers.sort(Comparator.comparingLong(Buyer::arrivalNanos));
        return List.copyOf(buyers);
    }

    // ------------------------------------------------------------------------------------------ (a)

    /**
     * The seed's streaming engine as a storefront sees it: every order lands in the true count at once, but
     * what buyers read is the view, a copy of the count made at each barrier.
     */
    private static final class LiveView {
        /** The engine's count. Buyer threads subtract their orders (atomic add); the refresher reads it. */
        final AtomicLong available;
        /** What the storefront reads. Written only by the refresher at each barrier; read by buyers (volatile). */
        volatile long view;
        /** Barriers so far. Written by the refresher only. */
        final AtomicInteger refreshes = new AtomicInteger();

        LiveView(long units) {
            available = new AtomicLong(units);
            view = units;
        }

        void barrier() {
            view = available.get();
            refreshes.incrementAndGet();
        }
    }

    static Outcome readLiveViewThenOrder(Settings s, List<Buyer> buyers) throws InterruptedException {
        LiveView engine = new LiveView(s.units());
        Tally tally = new Tally(s.units());
        ScheduledExecutorService refresher = pool(1, "view-refresher");
        try {
            long refreshNanos = TimeUnit.MILLISECONDS.toNanos(s.refreshMs());
            play(s, buyers, opening -> refresher.scheduleAtFixedRate(engine::barrier,
                    opening + refreshNanos - System.nanoTime(), refreshNanos, TimeUnit.NANOSECONDS), buyer -> {
                if (engine.view < buyer.wants()) {
                    tally.turnedAway.incrementAndGet();
                    return null;
                }
                if (buyer.walkaway() != Walkaway.NONE) {
                    tally.walkedAway.incrementAndGet();
                    return null;
                }
                return () -> {
                    engine.available.addAndGet(-buyer.wants());
                    tally.sold(buyer.wants());
                };
            });
        } finally {
            refresher.shutdownNow();
        }
        return tally.outcome(engine.available.get(), engine.refreshes.get(), true);
    }

    // ------------------------------------------------------------------------------------------ (b)

    static Outcome reserveThenConfirm(Settings s, List<Buyer> buyers) throws InterruptedException {
        SkippableClock clock = new SkippableClock();
        InventoryLedger ledger = InventoryLedger.builder().clock(clock).build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-FLASH", PRODUCT, WAREHOUSE, s.units(), clock.instant()));
        Duration ttl = Duration.ofMillis(s.holdTtlMs());
        Tally tally = new Tally(s.units());
        play(s, buyers, opening -> { }, buyer -> {
            String cart = "cart-" + buyer.index();
            ReservationResult r = ledger.tryReserve(PRODUCT, WAREHOUSE, buyer.wants(), cart, ttl);
            if (!r.accepted()) {
                tally.turnedAway.incrementAndGet();
                return null;
            }
            if (buyer.walkaway() != Walkaway.NONE) {
                tally.walkedAway.incrementAndGet();
                return buyer.walkaway() == Walkaway.LETS_LAPSE ? null
                        : () -> expect(ledger.release(cart), cart, HoldOutcome.RELEASED, HoldOutcome.EXPIRED);
            }
            return () -> {
                HoldOutcome o = expect(ledger.confirm(cart, "ORD-" + buyer.index()), cart, HoldOutcome.CONFIRMED,
                        HoldOutcome.CONFIRMED_AFTER_EXPIRY, HoldOutcome.EXPIRED);
                if (o == HoldOutcome.EXPIRED) {
                    tally.lapsedBeforePaying.incrementAndGet();
                } else {
                    tally.sold(buyer.wants());
                }
            };
        });
        clock.skip(ttl); // end the holds left to lapse now rather than by sleeping through their time to live
        ledger.expireHolds();
        return tally.outcome(ledger.available(PRODUCT, WAREHOUSE), 0,
                ledger.audit().isClean() && ledger.held(PRODUCT, WAREHOUSE) == 0);
    }

    private static HoldOutcome expect(HoldOutcome outcome, String cart, HoldOutcome... allowed) {
        for (HoldOutcome a : allowed) {
            if (outcome == a) {
                return outcome;
            }
        }
        throw new IllegalStateException("hold " + cart + " ended " + outcome + ", expected one of "
                + List.of(allowed));
    }

    /** The system clock, which the sale moves forward past every hold's expiry once the buyers are done. */
    private static final class SkippableClock extends Clock {
        /** Written by the main thread after the sale; read by buyer threads (volatile). */
        private volatile Duration skipped = Duration.ZERO;

        void skip(Duration d) {
            skipped = skipped.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(skipped);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }
    }

    // ------------------------------------------------------------------------------------------ harness

    /** What a buyer does on arriving; returns what it does once checkout time has passed, or null if done. */
    @FunctionalInterface
    private interface Visit {
        Runnable arrive(Buyer buyer);
    }

    /** Counts of one run. Updated by buyer threads (atomics); read by the main thread once all are done. */
    private static final class Tally {
        final long stock;
        final AtomicInteger ordersAccepted = new AtomicInteger();
        final AtomicLong unitsSold = new AtomicLong();
        final AtomicInteger ordersBeyondStock = new AtomicInteger();
        final AtomicInteger turnedAway = new AtomicInteger();
        final AtomicInteger walkedAway = new AtomicInteger();
        final AtomicInteger lapsedBeforePaying = new AtomicInteger();

        Tally(long stock) {
            this.stock = stock;
        }

        void sold(int units) {
            ordersAccepted.incrementAndGet();
            if (unitsSold.addAndGet(units) > stock) {
                ordersBeyondStock.incrementAndGet();
            }
        }

        Outcome outcome(long finalAvailable, int refreshes, boolean holdsAddUp) {
            return new Outcome(ordersAccepted.get(), unitsSold.get(), ordersBeyondStock.get(), finalAvailable,
                    turnedAway.get(), walkedAway.get(), lapsedBeforePaying.get(), refreshes, holdsAddUp);
        }
    }

    /**
     * Plays the arrival pattern on a pool: each buyer's visit starts at the opening plus its arrival time, and
     * its follow-up (if any) {@code checkoutMs} later. Returns when every buyer is done.
     *
     * @param onOpening told the opening instant ({@link System#nanoTime()} scale) before any buyer arrives
     * @throws IllegalStateException if a buyer failed or the sale did not end in time
     */
    private static void play(Settings s, List<Buyer> buyers, LongConsumer onOpening, Visit visit)
            throws InterruptedException {
        ScheduledExecutorService pool = pool(s.threads(), "buyer");
        CountDownLatch done = new CountDownLatch(buyers.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            long opening = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200); // time to schedule everyone
            onOpening.accept(opening);
            for (Buyer b : buyers) {
                pool.schedule(() -> {
                    try {
                        Runnable then = visit.arrive(b);
                        if (then == null) {
                            done.countDown();
                            return;
                        }
                        pool.schedule(() -> {
                            try {
                                then.run();
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            } finally {
                                done.countDown();
                            }
                        }, s.checkoutMs(), TimeUnit.MILLISECONDS);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        done.countDown();
                    }
                }, opening + b.arrivalNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            long limitMs = 200 + s.arrivalMs() + s.checkoutMs() + 120_000;
            if (!done.await(limitMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the sale did not end within " + limitMs + " ms: " + done.getCount()
                        + " of " + buyers.size() + " buyers still busy");
            }
        } finally {
            pool.shutdownNow();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a buyer failed: " + failure.get(), failure.get());
        }
    }

    private static ScheduledExecutorService pool(int threads, String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ScheduledThreadPoolExecutor(threads, factory);
    }

    // ------------------------------------------------------------------------------------------ report

    /** Both runs side by side, with the sale's settings. */
    static String format(Report r) {
        Settings s = r.settings();
        Outcome a = r.liveView(), b = r.ledger();
        long demand = 0, payingDemand = 0;
        for (Buyer buyer : arrivals(s)) {
            demand += buyer.wants();
            payingDemand += buyer.walkaway() == Walkaway.NONE ? buyer.wants() : 0;
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Flash sale of %s at %s: %,d units in stock; %,d buyers wanting 1 or 2 "
                        + "units (%,d in all, %,d from buyers who would pay), arriving over %,d ms (seed %d) on %d "
                        + "threads.%n", PRODUCT, WAREHOUSE, s.units(), s.buyers(), demand, payingDemand,
                s.arrivalMs(), s.seed(), s.threads()));
        out.append(String.format(Locale.ROOT, "%.0f%% walk away after looking (in (b) half release their hold, half "
                + "let its %,d ms time to live lapse); paying takes %,d ms.%n%n", s.abandonRate() * 100,
                s.holdTtlMs(), s.checkoutMs()));
        String row = "%-40s %26s %26s%n";
        out.append(String.format(Locale.ROOT, row, "", "(a) read the live view,", "(b) tryReserve,"));
        out.append(String.format(Locale.ROOT, row, "", "then place an order", "then confirm"));
        out.append(String.format(Locale.ROOT, row, "live view refreshed every",
                String.format(Locale.ROOT, "%,d ms", s.refreshMs()), "- (no view: the ledger)"));
        out.append(String.format(Locale.ROOT, row, "view refreshes during the sale", n(a.viewRefreshes()), "-"));
        out.append(String.format(Locale.ROOT, row, "orders accepted", n(a.ordersAccepted()), n(b.ordersAccepted())));
        out.append(String.format(Locale.ROOT, row, "units sold", n(a.unitsSold()), n(b.unitsSold())));
        out.append(String.format(Locale.ROOT, row, "orders accepted beyond stock", n(a.ordersBeyondStock()),
                n(b.ordersBeyondStock())));
        out.append(String.format(Locale.ROOT, row, "UNITS OVERSOLD", n(a.unitsOversold()), n(b.unitsOversold())));
        out.append(String.format(Locale.ROOT, row, "final available", n(a.finalAvailable()),
                n(b.finalAvailable())));
        out.append(String.format(Locale.ROOT, row, "buyers turned away (too few shown/held)", n(a.turnedAway()),
                n(b.turnedAway())));
        out.append(String.format(Locale.ROOT, row, "buyers who walked away", n(a.walkedAway()), n(b.walkedAway())));
        out.append(String.format(Locale.ROOT, row, "holds lapsed before paying (refunds)", "-",
                n(b.lapsedBeforePaying())));
        out.append('\n');
        if (b.unitsOversold() > 0 || !b.holdsAddUp()) {
            out.append(String.format(Locale.ROOT, "FAIL: the ledger oversold %,d units%s.%n", b.unitsOversold(),
                    b.holdsAddUp() ? "" : " and its held counters do not match its holds"));
        } else {
            out.append(String.format(Locale.ROOT, "(a) oversold %,d units with a view %,d ms old at most; (b) oversold "
                    + "none: no interleaving of the %d threads let two holds share a unit.%n", a.unitsOversold(),
                    s.refreshMs(), s.threads()));
        }
        return out.toString();
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
