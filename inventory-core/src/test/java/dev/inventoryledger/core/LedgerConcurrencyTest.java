package dev.inventoryledger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.inventoryledger.core.testkit.ManualClock;
import dev.inventoryledger.core.testkit.Together;
import dev.inventoryledger.core.testkit.Together.Worker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Multi-threaded stress tests of the ledger's concurrency claims (the README's guarantees, "No oversell in process"; was "Holds, and selling without
 * overselling" and "Queries"): no interleaving lets two holds share a unit, a hold ends exactly once however
 * many threads end it at once, and no read sees a position torn between two moments.
 *
 * <p>Every test starts its threads together on a barrier, and every wait for them is bounded by
 * {@link #BOUND_SECONDS}: a deadlock or livelock fails the test with a dump of the stuck threads instead of
 * hanging the build. No test sleeps or looks at how long anything took.
 */
class LedgerConcurrencyTest {
    /** Upper bound on every wait for threads; exceeding it is a failure (deadlock or livelock). */
    private static final long BOUND_SECONDS = 60;
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final String P = "SKU-HOT";
    private static final String W = "WH-1";
    private static final Duration LONG_TTL = Duration.ofDays(1);
    private static final HoldOutcome[] OUTCOMES = HoldOutcome.values();
    private static final ReservationResult.Status[] STATUSES = ReservationResult.Status.values();

    // ================================================================ holds, and selling without overselling

    @Test
    void hotSkuNeverOversellsUnderManyThreads() throws Exception {
        for (int round = 0; round < 10; round++) {
            hotSkuRound(round);
        }
    }

    /**
     * 8 threads reserve 1-3 units of a 100-unit SKU, keep up to 4 holds open each (so sellable sits at the
     * edge of zero), and end them by release or, rarely, by confirm; a reader polls the position throughout.
     */
    private static void hotSkuRound(int round) throws Exception {
        final int threads = 8;
        final int opsPerThread = 10_000;
        final long stock = 100;
        final int confirmOneIn = 200; // rare enough that the 100 units last most of the run
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InventoryLedger ledger = InventoryLedger.builder().clock(new ManualClock(T0)).meterRegistry(registry)
                .retainEndedReservations(1 << 20).build();
        assertThat(ledger.apply(InventoryEvent.stockReceived("RCPT-1", P, W, stock, T0)))
                .isEqualTo(ApplyOutcome.APPLIED);

        Map<String, Long> accepted = new ConcurrentHashMap<>();
        Map<String, HoldOutcome> endings = new ConcurrentHashMap<>();
        LongAdder[] statuses = adders(STATUSES.length);
        AtomicLong lowestSellable = new AtomicLong(Long.MAX_VALUE);
        AtomicLong readerReads = new AtomicLong();
        AtomicInteger workersLeft = new AtomicInteger(threads);
        CountDownLatch readerRunning = new CountDownLatch(1);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            workers.add(countingDown(workersLeft, () -> {
                if (!readerRunning.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                    fail("the reader did not start within " + BOUND_SECONDS + " s");
                }
                SplittableRandom rnd = new SplittableRandom(1_000L * round + k);
                ArrayDeque<String> open = new ArrayDeque<>();
                int maxOpen = 1 + rnd.nextInt(4);
                for (int n = 0; n < opsPerThread; n++) {
                    if (open.size() >= maxOpen || (!open.isEmpty() && rnd.nextBoolean())) {
                        endOwnHold(ledger, open.poll(), rnd.nextInt(confirmOneIn) == 0, rnd, endings);
                    } else {
                        String id = "r" + round + "-t" + k + "-" + n;
                        long q = 1 + rnd.nextInt(3);
                        ReservationResult r = ledger.tryReserve(P, W, q, id, LONG_TTL);
                        statuses[r.status().ordinal()].increment();
                        if (r.status() == ReservationResult.Status.ACCEPTED) {
                            if (r.sellable() < q) {
                                fail("accepted " + q + " units while sellable was " + r.sellable() + ": " + r);
                            }
                            accepted.put(id, q);
                            open.add(id);
                        } else if (r.status() != ReservationResult.Status.INSUFFICIENT_STOCK || r.sellable() >= q) {
                            fail("fresh reservation " + id + " of " + q + " units refused wrongly: " + r);
                        }
                    }
                    lowestSellable.accumulateAndGet(ledger.sellable(P, W), Math::min);
                }
                while (!open.isEmpty()) {
                    endOwnHold(ledger, open.poll(), rnd.nextInt(confirmOneIn) == 0, rnd, endings);
                }
            }));
        }
        workers.add(() -> {
            long reads = 0;
            do {
                readerRunning.countDown(); // the workers wait for this, so that the reader cannot miss the run
                long s = ledger.sellable(P, W);
                if (s < 0) {
                    fail("reader saw sellable " + s + " < 0: two holds share a unit");
                }
                Position p = ledger.position(P, W);
                if (p.sellable() < 0 || p.held() < 0 || p.available() < 0 || p.available() > stock
                        || p.sellable() != p.available() - p.held()) {
                    fail("reader saw an impossible position " + p + " (stock " + stock + ")");
                }
                reads++;
            } while (workersLeft.get() > 0);
            readerReads.addAndGet(reads);
        });
        runTogether("hot-sku-" + round, workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        long confirmedUnits = 0;
        long confirmedHolds = 0;
        for (Map.Entry<String, HoldOutcome> e : endings.entrySet()) {
            if (e.getValue() == HoldOutcome.CONFIRMED) {
                confirmedUnits += accepted.get(e.getKey());
                confirmedHolds++;
            }
        }
        long acceptedCount = statuses[ReservationResult.Status.ACCEPTED.ordinal()].sum();
        String where = "round " + round;
        assertThat(lowestSellable.get())
                .as(where + ": lowest sellable any worker read (below 0: two holds share a unit)")
                .isGreaterThanOrEqualTo(0);
        assertThat(readerReads.get()).as(where + ": reads by the reader").isPositive();
        assertThat(accepted).as(where).hasSize((int) acceptedCount);
        assertThat(confirmedUnits).as(where + ": units sold").isLessThanOrEqualTo(stock);
        assertThat(ledger.available(P, W)).as(where + ": available").isEqualTo(stock - confirmedUnits);
        assertThat(ledger.held(P, W)).as(where + ": held after every hold ended").isZero();
        assertThat(ledger.sellable(P, W)).as(where + ": sellable").isEqualTo(stock - confirmedUnits);
        assertThat(ledger.activeHolds()).as(where + ": active holds").isZero();
        // Every accepted hold ended exactly once, and only accepted ones did.
        assertThat(endings.keySet()).as(where).isEqualTo(accepted.keySet());
        for (Map.Entry<String, HoldOutcome> e : endings.entrySet()) {
            HoldOutcome again = already(e.getValue());
            assertThat(ledger.confirm(e.getKey(), "ORD-" + e.getKey())).as(where + " " + e).isEqualTo(again);
            assertThat(ledger.release(e.getKey())).as(where + " " + e).isEqualTo(again);
        }
        assertThat(ledger.available(P, W)).as(where + ": available after repeated calls")
                .isEqualTo(stock - confirmedUnits);
        assertThat(reservationsCounted(registry, "accepted")).as(where).isEqualTo(acceptedCount);
        assertThat(reservationsCounted(registry, "confirmed")).as(where).isEqualTo(confirmedHolds);
        assertThat(reservationsCounted(registry, "released")).as(where).isEqualTo(acceptedCount - confirmedHolds);
        assertThat(statuses[ReservationResult.Status.INSUFFICIENT_STOCK.ordinal()].sum())
                .as(where + ": the SKU must have run short for the test to mean anything").isPositive();
    }

    /** Ends a hold only this thread ends: the call must win; sometimes a second call checks it is idempotent. */
    private static void endOwnHold(InventoryLedger ledger, String id, boolean confirm, SplittableRandom rnd,
                                   Map<String, HoldOutcome> endings) {
        HoldOutcome o = confirm ? ledger.confirm(id, "ORD-" + id) : ledger.release(id);
        if (o != (confirm ? HoldOutcome.CONFIRMED : HoldOutcome.RELEASED)) {
            fail("ending active hold " + id + " by " + (confirm ? "confirm" : "release") + " returned " + o);
        }
        if (endings.putIfAbsent(id, o) != null) {
            fail("hold " + id + " ended twice");
        }
        if (rnd.nextInt(16) == 0) {
            HoldOutcome again = rnd.nextBoolean() ? ledger.confirm(id, "ORD-" + id) : ledger.release(id);
            if (again != already(o)) {
                fail("repeated end of " + id + " (ended " + o + ") returned " + again);
            }
        }
    }

    @Test
    void concurrentConfirmAndReleaseOfOneReservationEndItExactlyOnce() throws Exception {
        final int threads = 8;
        final int reservations = 32_768;
        final long stock = 1_000_000;
        InventoryLedger ledger = InventoryLedger.builder().clock(new ManualClock(T0))
                .retainEndedReservations(1 << 20).build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-1", P, W, stock, T0));
        long[] qty = new long[reservations];
        for (int i = 0; i < reservations; i++) {
            qty[i] = 1 + i % 3;
            assertThat(ledger.tryReserve(P, W, qty[i], "cart-" + i, LONG_TTL).status())
                    .isEqualTo(ReservationResult.Status.ACCEPTED);
        }

        // All threads take the ids in step, one at a time, with a mix of confirm and release: the threads
        // running when an id opens all end it at once.
        AtomicIntegerArray outcomes = new AtomicIntegerArray(reservations * OUTCOMES.length);
        Lockstep lockstep = new Lockstep(threads, reservations);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            workers.add(lockstep.worker(() -> {
                SplittableRandom rnd = new SplittableRandom(200 + k);
                lockstep.forEachId(i -> {
                    String id = "cart-" + i;
                    HoldOutcome o = rnd.nextBoolean() ? ledger.confirm(id, "ORD-" + i) : ledger.release(id);
                    outcomes.incrementAndGet(i * OUTCOMES.length + o.ordinal());
                });
            }));
        }
        runTogether("same-id-end", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        List<String> violations = new ArrayList<>();
        long confirmedUnits = 0;
        int confirmedWins = 0;
        for (int i = 0; i < reservations; i++) {
            Ends c = ends(outcomes, i);
            boolean ok = c.confirmed() + c.released() == 1
                    && (c.confirmed() == 1 ? c.alreadyConfirmed() == threads - 1 && c.alreadyReleased() == 0
                                           : c.alreadyReleased() == threads - 1 && c.alreadyConfirmed() == 0);
            if (!ok) {
                violations.add("cart-" + i + ": " + c);
            }
            if (c.confirmed() == 1) {
                confirmedUnits += qty[i];
                confirmedWins++;
            }
        }
        assertThat(violations).as("reservations not ended exactly once by " + threads + " racing calls")
                .isEmpty();
        assertThat(confirmedWins).as("confirm must win some races and release others").isStrictlyBetween(0,
                reservations);
        assertThat(ledger.held(P, W)).isZero();
        assertThat(ledger.available(P, W)).isEqualTo(stock - confirmedUnits);
        assertThat(ledger.sellable(P, W)).isEqualTo(stock - confirmedUnits);
        assertThat(ledger.activeHolds()).isZero();
    }

    @Test
    void concurrentTryReserveWithOneReservationIdHoldsItOnce() throws Exception {
        final int threads = 8;
        final int reservations = 16_384;
        final long stock = 1_000_000;
        final Duration ttl = Duration.ofMinutes(15);
        InventoryLedger ledger = InventoryLedger.builder().clock(new ManualClock(T0))
                .retainEndedReservations(1 << 20).build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-1", P, W, stock, T0));
        Instant expiry = T0.plus(ttl);

        AtomicIntegerArray statuses = new AtomicIntegerArray(reservations * STATUSES.length);
        Lockstep lockstep = new Lockstep(threads, reservations);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(lockstep.worker(() -> lockstep.forEachId(i -> {
                ReservationResult r = ledger.tryReserve(P, W, qtyOf(i), "cart-" + i, ttl);
                statuses.incrementAndGet(i * STATUSES.length + r.status().ordinal());
                if (!r.accepted() || !expiry.equals(r.expiresAt())) {
                    fail("the same reservation asked again must be held until " + expiry + ": " + r);
                }
            })));
        }
        runTogether("same-id-reserve", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        List<String> violations = new ArrayList<>();
        long heldUnits = 0;
        for (int i = 0; i < reservations; i++) {
            int acceptedCount = statuses.get(i * STATUSES.length + ReservationResult.Status.ACCEPTED.ordinal());
            int alreadyHeld = statuses.get(i * STATUSES.length + ReservationResult.Status.ALREADY_HELD.ordinal());
            if (acceptedCount != 1 || alreadyHeld != threads - 1) {
                int[] c = new int[STATUSES.length];
                for (int s = 0; s < c.length; s++) {
                    c[s] = statuses.get(i * STATUSES.length + s);
                }
                violations.add("cart-" + i + ": " + Arrays.toString(STATUSES) + " = " + Arrays.toString(c));
            }
            heldUnits += qtyOf(i);
        }
        assertThat(violations).as("reservation ids accepted other than exactly once by " + threads + " racing calls")
                .isEmpty();
        assertThat(ledger.held(P, W)).as("held: each reservation counted once").isEqualTo(heldUnits);
        assertThat(ledger.available(P, W)).isEqualTo(stock);
        assertThat(ledger.sellable(P, W)).isEqualTo(stock - heldUnits);
        assertThat(ledger.activeHolds()).isEqualTo(reservations);
        for (int i = 0; i < reservations; i++) {
            assertThat(ledger.release("cart-" + i)).as("cart-" + i).isEqualTo(HoldOutcome.RELEASED);
        }
        assertThat(ledger.held(P, W)).isZero();
        assertThat(ledger.sellable(P, W)).isEqualTo(stock);
    }

    private static long qtyOf(int i) {
        return 1 + i % 5;
    }

    @Test
    void multiProductReservationsEndExactlyOnceWithoutDeadlock() throws Exception {
        final String[] products = {"SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E", "SKU-F"};
        final int reservations = 20_000;
        final int enders = 6;
        final int reservers = 2;
        final int reserverOps = 10_000;
        final long stock = 1_000_000;
        InventoryLedger ledger = InventoryLedger.builder().clock(new ManualClock(T0))
                .retainEndedReservations(1 << 20).build();
        for (String p : products) {
            ledger.apply(InventoryEvent.stockReceived("RCPT-" + p, p, W, stock, T0));
        }
        // Each reservation holds 1-3 units of 2 or 3 products, its lines arriving as held events in a random
        // product order: a ledger that locked in line order rather than a global order would deadlock.
        SplittableRandom setup = new SplittableRandom(600);
        int[][] lineProducts = new int[reservations][];
        long[][] lineQty = new long[reservations][];
        long[] heldPerProduct = new long[products.length];
        for (int i = 0; i < reservations; i++) {
            int[] order = shuffled(products.length, setup);
            int lines = 2 + setup.nextInt(2);
            lineProducts[i] = Arrays.copyOf(order, lines);
            lineQty[i] = new long[lines];
            for (int l = 0; l < lines; l++) {
                lineQty[i][l] = 1 + setup.nextInt(3);
                heldPerProduct[lineProducts[i][l]] += lineQty[i][l];
                assertThat(ledger.apply(InventoryEvent.reservationHeld("multi-" + i, products[lineProducts[i][l]], W,
                        lineQty[i][l], T0))).isEqualTo(ApplyOutcome.APPLIED);
            }
        }
        for (int p = 0; p < products.length; p++) {
            assertThat(ledger.held(products[p], W)).isEqualTo(heldPerProduct[p]);
        }

        AtomicIntegerArray outcomes = new AtomicIntegerArray(reservations * OUTCOMES.length);
        LongAdder[] soloConfirmed = adders(products.length);
        AtomicInteger workersLeft = new AtomicInteger(enders + reservers);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < enders; t++) {
            int k = t;
            workers.add(countingDown(workersLeft, () -> {
                SplittableRandom rnd = new SplittableRandom(610 + k);
                // Half the enders share one order (they collide on the same reservation); half go their own way.
                int[] order = shuffled(reservations, k % 2 == 0 ? new SplittableRandom(699) : rnd);
                for (int i : order) {
                    String id = "multi-" + i;
                    HoldOutcome o = rnd.nextBoolean() ? ledger.confirm(id, "ORD-" + id) : ledger.release(id);
                    outcomes.incrementAndGet(i * OUTCOMES.length + o.ordinal());
                }
            }));
        }
        for (int t = 0; t < reservers; t++) {
            int k = t;
            workers.add(countingDown(workersLeft, () -> {
                SplittableRandom rnd = new SplittableRandom(620 + k);
                for (int n = 0; n < reserverOps; n++) {
                    int p = rnd.nextInt(products.length);
                    long q = 1 + rnd.nextInt(3);
                    if (rnd.nextInt(10) == 0) {
                        String taken = "multi-" + rnd.nextInt(reservations);
                        ReservationResult r = ledger.tryReserve(products[p], W, q, taken, LONG_TTL);
                        if (r.status() != ReservationResult.Status.ID_IN_USE) {
                            fail("the id of a multi-product reservation was reserved again: " + r);
                        }
                        continue;
                    }
                    String id = "solo-" + k + "-" + n;
                    ReservationResult r = ledger.tryReserve(products[p], W, q, id, LONG_TTL);
                    if (r.status() != ReservationResult.Status.ACCEPTED) {
                        fail("reservation with plenty of stock refused: " + r);
                    }
                    if (rnd.nextBoolean()) {
                        HoldOutcome o = ledger.confirm(id, "ORD-" + id);
                        if (o != HoldOutcome.CONFIRMED) {
                            fail("confirm of " + id + " returned " + o);
                        }
                        soloConfirmed[p].add(q);
                    } else if (ledger.release(id) != HoldOutcome.RELEASED) {
                        fail("release of " + id + " did not release it");
                    }
                }
            }));
        }
        workers.add(() -> {
            while (workersLeft.get() > 0) {
                for (Position p : ledger.positions()) {
                    if (p.held() < 0 || p.available() > stock || p.sellable() != p.available() - p.held()) {
                        fail("reader saw an impossible position " + p);
                    }
                }
            }
        });
        runTogether("multi-product", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        List<String> violations = new ArrayList<>();
        long[] soldPerProduct = new long[products.length];
        for (int i = 0; i < reservations; i++) {
            Ends c = ends(outcomes, i);
            boolean ok = c.confirmed() + c.released() == 1
                    && c.alreadyConfirmed() == (c.confirmed() == 1 ? enders - 1 : 0)
                    && c.alreadyReleased() == (c.released() == 1 ? enders - 1 : 0);
            if (!ok) {
                violations.add("multi-" + i + ": " + c);
            }
            if (c.confirmed() == 1) {
                for (int l = 0; l < lineProducts[i].length; l++) {
                    soldPerProduct[lineProducts[i][l]] += lineQty[i][l];
                }
            }
        }
        assertThat(violations).as("multi-product reservations not ended exactly once").isEmpty();
        for (int p = 0; p < products.length; p++) {
            long expected = stock - soldPerProduct[p] - soloConfirmed[p].sum();
            assertThat(ledger.position(products[p], W)).as(products[p])
                    .isEqualTo(new Position(products[p], W, expected, 0, 0, expected, T0));
        }
        assertThat(ledger.activeHolds()).isZero();
    }

    @Test
    void expiryRacingConfirmEndsEachHoldExactlyOnce() throws Exception {
        final int holds = 32_000;
        final int enders = 4;
        final int clockSteps = 2_100; // 1 ms each; the longest ttl is 2,000 ms
        final long stock = 1_000_000;
        final String w2 = "WH-2";
        ManualClock clock = new ManualClock(T0);
        InventoryLedger ledger = InventoryLedger.builder().clock(clock).retainEndedReservations(1 << 20).build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-1", P, W, stock, T0));
        ledger.apply(InventoryEvent.stockReceived("RCPT-2", P, w2, 10 * stock, T0));
        SplittableRandom setup = new SplittableRandom(700);
        long[] qty = new long[holds];
        long[] expiry = new long[holds];
        long totalHeld = 0;
        for (int i = 0; i < holds; i++) {
            qty[i] = 1 + i % 3;
            ReservationResult r = ledger.tryReserve(P, W, qty[i], "cart-" + i,
                    Duration.ofMillis(1 + setup.nextInt(2_000)));
            assertThat(r.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            expiry[i] = r.expiresAt().toEpochMilli();
            totalHeld += qty[i];
        }
        HeldBound heldBound = new HeldBound(expiry, qty);

        AtomicIntegerArray outcomes = new AtomicIntegerArray(holds * OUTCOMES.length);
        AtomicLong progress = new AtomicLong();
        AtomicInteger endersLeft = new AtomicInteger(enders);
        LongAdder w2Sold = new LongAdder();
        long totalCalls = (long) enders * holds;
        long totalHeldFinal = totalHeld;
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < enders; t++) {
            int k = t;
            workers.add(countingDown(endersLeft, () -> {
                SplittableRandom rnd = new SplittableRandom(710 + k);
                for (int i : shuffled(holds, rnd)) {
                    String id = "cart-" + i;
                    boolean confirm = rnd.nextBoolean();
                    long before = clock.millis();
                    HoldOutcome o = confirm ? ledger.confirm(id, "ORD-" + id) : ledger.release(id);
                    long after = clock.millis();
                    outcomes.incrementAndGet(i * OUTCOMES.length + o.ordinal());
                    progress.incrementAndGet();
                    if ((o == HoldOutcome.CONFIRMED || o == HoldOutcome.RELEASED) && before >= expiry[i]) {
                        fail(id + " " + o + " by a call made at " + Instant.ofEpochMilli(before)
                                + ", at or after its expiry " + Instant.ofEpochMilli(expiry[i]));
                    }
                    if ((o == HoldOutcome.EXPIRED || o == HoldOutcome.CONFIRMED_AFTER_EXPIRY) && after < expiry[i]) {
                        fail(id + " reported " + o + " at " + Instant.ofEpochMilli(after) + ", before its expiry "
                                + Instant.ofEpochMilli(expiry[i]));
                    }
                }
            }));
        }
        // The clock moves 1 ms whenever the enders have made another 1/clockSteps of their calls, so expiries
        // fall due all through the run instead of before or after it.
        workers.add(() -> {
            for (int step = 1; step <= clockSteps; step++) {
                long due = totalCalls * step / clockSteps;
                while (progress.get() < due && endersLeft.get() > 0) {
                    Thread.yield();
                }
                clock.advance(Duration.ofMillis(1));
            }
        });
        // Short holds on another warehouse of the same product share its expiry queue and lock.
        workers.add(() -> {
            SplittableRandom rnd = new SplittableRandom(730);
            for (int n = 0; n < 50_000 && endersLeft.get() > 0; n++) {
                long q = 1 + rnd.nextInt(3);
                String id = "w2-" + n;
                ReservationResult r = ledger.tryReserve(P, w2, q, id, Duration.ofMillis(1 + rnd.nextInt(50)));
                if (r.status() != ReservationResult.Status.ACCEPTED) {
                    fail("reservation with plenty of stock refused: " + r);
                }
                int what = rnd.nextInt(3);
                if (what == 0) {
                    HoldOutcome o = ledger.confirm(id, "ORD-" + id);
                    if (o == HoldOutcome.CONFIRMED || o == HoldOutcome.CONFIRMED_AFTER_EXPIRY) {
                        w2Sold.add(q); // a confirm after the hold lapsed re-takes the units while sellable
                    } else if (o != HoldOutcome.EXPIRED) {
                        fail("confirm of " + id + " returned " + o);
                    }
                } else if (what == 1) {
                    HoldOutcome o = ledger.release(id);
                    if (o != HoldOutcome.RELEASED && o != HoldOutcome.EXPIRED) {
                        fail("release of " + id + " returned " + o);
                    }
                } // else: left to lapse
            }
        });
        for (int t = 0; t < 2; t++) {
            workers.add(() -> {
                long lastAvailable = Long.MAX_VALUE;
                while (endersLeft.get() > 0) {
                    long now = clock.millis();
                    Position p = ledger.position(P, W);
                    if (p.sellable() != p.available() - p.held() || p.held() < 0
                            || p.available() < stock - totalHeldFinal) {
                        fail("reader saw an impossible position " + p);
                    }
                    if (p.held() > heldBound.unexpiredAt(now)) {
                        fail("read at " + Instant.ofEpochMilli(now) + " counts " + p.held() + " held units, but only "
                                + heldBound.unexpiredAt(now) + " are in holds that had not expired by then");
                    }
                    if (p.available() > lastAvailable) {
                        fail("available went back up from " + lastAvailable + " to " + p.available()
                                + " though only confirms change it");
                    }
                    lastAvailable = p.available();
                    now = clock.millis();
                    long held = ledger.held(P, W);
                    if (held < 0 || held > heldBound.unexpiredAt(now)) {
                        fail("held(" + P + ", " + W + ") read " + held + " at " + Instant.ofEpochMilli(now)
                                + "; holds not expired by then total " + heldBound.unexpiredAt(now));
                    }
                    if (ledger.sellable(P, W) < stock - totalHeldFinal) {
                        fail("sellable below what every hold together could take");
                    }
                }
            });
        }
        runTogether("expiry-race", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        clock.advance(Duration.ofDays(1)); // past every expiry
        assertThat(ledger.held(P, W)).as("held once the clock is past every expiry").isZero();
        assertThat(ledger.held(P, w2)).isZero();
        assertThat(ledger.expireHolds()).as("holds a read should already have lapsed").isZero();
        assertThat(ledger.activeHolds()).isZero();

        List<String> violations = new ArrayList<>();
        long soldUnits = 0;
        int won = 0;
        int expired = 0;
        for (int i = 0; i < holds; i++) {
            Ends c = ends(outcomes, i);
            int confirmed = c.confirmed(), released = c.released(), alreadyConfirmed = c.alreadyConfirmed();
            int alreadyReleased = c.alreadyReleased(), lapsed = c.lapsed(), late = c.late();
            boolean ok;
            if (confirmed + released + late == 0) {
                ok = lapsed == enders;
                expired++;
            } else if (late > 0) {
                // lapsed first; releases said EXPIRED, one confirm re-took the units, later calls saw it sold
                ok = late == 1 && confirmed + released + alreadyReleased == 0 && lapsed + alreadyConfirmed == enders - 1;
                expired++;
            } else {
                ok = confirmed + released == 1 && lapsed == 0
                        && alreadyConfirmed == (confirmed == 1 ? enders - 1 : 0)
                        && alreadyReleased == (released == 1 ? enders - 1 : 0);
                won++;
            }
            if (!ok) {
                violations.add("cart-" + i + " (expiry " + Instant.ofEpochMilli(expiry[i]) + "): " + c);
            }
            if (confirmed == 1 || late == 1) {
                soldUnits += qty[i];
            }
            HoldOutcome later = ledger.confirm("cart-" + i, "ORD-late-" + i);
            // a hold that only lapsed is re-taken by a late confirm: the stock is there once all else ended
            HoldOutcome how = confirmed == 1 || late == 1 ? HoldOutcome.ALREADY_CONFIRMED
                    : released == 1 ? HoldOutcome.ALREADY_RELEASED : HoldOutcome.CONFIRMED_AFTER_EXPIRY;
            if (how == HoldOutcome.CONFIRMED_AFTER_EXPIRY) {
                soldUnits += qty[i];
            }
            if (later != how) {
                violations.add("cart-" + i + ": a late confirm returned " + later + ", expected " + how);
            }
        }
        assertThat(violations).as("holds not ended exactly once (by confirm, release or expiry)").isEmpty();
        assertThat(won).as("holds ended by a call before expiry").isPositive();
        assertThat(expired).as("holds that expired before any call").isPositive();
        assertThat(ledger.available(P, W)).as("available reflects exactly the confirmed holds")
                .isEqualTo(stock - soldUnits);
        assertThat(ledger.sellable(P, W)).isEqualTo(stock - soldUnits);
        assertThat(ledger.available(P, w2)).isEqualTo(10 * stock - w2Sold.sum());
        assertThat(ledger.sellable(P, w2)).isEqualTo(10 * stock - w2Sold.sum());
    }

    /** Total units of the holds whose expiry is after a given instant: an upper bound on what may count. */
    private static final class HeldBound {
        private final long[] expiries; // sorted
        private final long[] unitsFrom; // unitsFrom[j] = units of holds expiries[j..]

        HeldBound(long[] expiry, long[] qty) {
            Integer[] order = new Integer[expiry.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(expiry[a], expiry[b]));
            expiries = new long[order.length];
            unitsFrom = new long[order.length + 1];
            for (int j = order.length - 1; j >= 0; j--) {
                expiries[j] = expiry[order[j]];
                unitsFrom[j] = unitsFrom[j + 1] + qty[order[j]];
            }
        }

        long unexpiredAt(long nowMillis) {
            int lo = 0;
            int hi = expiries.length; // first j with expiries[j] > nowMillis
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (expiries[mid] > nowMillis) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return unitsFrom[lo];
        }
    }

    // ============================================================================================ queries

    @Test
    void readersNeverSeeATornPosition() throws Exception {
        final int holds = 200_000;
        final int writers = 4;
        final int readers = 2;
        final long stock = 10_000_000;
        final long safety = 7;
        // Two products, so that both kinds of read are raced: holds from outside without expiry (EXT) leave
        // the product with nothing that can lapse, and in-process holds (CART) always carry one.
        final String ext = "SKU-EXT";
        final String cart = "SKU-CART";
        final String w2 = "WH-2";
        InventoryLedger ledger = InventoryLedger.builder().clock(new ManualClock(T0)).build();
        for (String p : new String[] {ext, cart}) {
            ledger.apply(InventoryEvent.stockReceived("RCPT-" + p, p, W, stock, T0));
            ledger.setSafetyStock(p, W, safety);
        }
        long extHeld = 0;
        long cartHeld = 0;
        for (int i = 0; i < holds; i++) {
            long q = qtyOf(i);
            if (i % 2 == 0) {
                assertThat(ledger.apply(InventoryEvent.reservationHeld("hold-" + i, ext, W, q, T0)))
                        .isEqualTo(ApplyOutcome.APPLIED);
                extHeld += q;
            } else {
                assertThat(ledger.tryReserve(cart, W, q, "cart-" + i, LONG_TTL).status())
                        .isEqualTo(ReservationResult.Status.ACCEPTED);
                cartHeld += q;
            }
        }
        // Consuming a hold (an order naming it, or a confirm) takes held and available down together, so
        // sellable stays at this value in every consistent read; a torn one is off by a hold's quantity.
        final long extSellable = stock - extHeld - safety;
        final long cartSellable = stock - cartHeld - safety;
        final long extHeld0 = extHeld;
        final long cartHeld0 = cartHeld;
        assertThat(ledger.position(ext, W)).isEqualTo(new Position(ext, W, stock, extHeld, safety, extSellable, T0));
        assertThat(ledger.position(cart, W))
                .isEqualTo(new Position(cart, W, stock, cartHeld, safety, cartSellable, T0));

        Instant t1 = T0.plusSeconds(1);
        AtomicInteger writersLeft = new AtomicInteger(writers);
        LongAdder extNoise = new LongAdder();
        LongAdder cartNoise = new LongAdder();
        LongAdder reads = new LongAdder();
        LongAdder midwayReads = new LongAdder();
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int k = t;
            workers.add(countingDown(writersLeft, () -> {
                for (int i = k; i < holds; i += writers) {
                    if (i % 2 == 0) {
                        ApplyOutcome o = ledger.apply(
                                InventoryEvent.orderPlaced("ORD-" + i, ext, W, qtyOf(i), t1)
                                        .withReservationId("hold-" + i));
                        if (o != ApplyOutcome.APPLIED) {
                            fail("order consuming hold-" + i + " was " + o);
                        }
                    } else {
                        HoldOutcome o = ledger.confirm("cart-" + i, "ORD-" + i);
                        if (o != HoldOutcome.CONFIRMED) {
                            fail("confirm of cart-" + i + " returned " + o);
                        }
                    }
                    if ((i / writers) % 8 < 2) {
                        // Another position of the same product: more writes under the product's lock.
                        boolean onExt = (i / writers) % 8 == 0;
                        ledger.apply(InventoryEvent.stockReceived("RCPT-W2-" + i, onExt ? ext : cart, w2, 1, t1));
                        (onExt ? extNoise : cartNoise).increment();
                    }
                }
            }));
        }
        for (int r = 0; r < readers; r++) {
            workers.add(() -> {
                long n = 0;
                long midway = 0;
                while (writersLeft.get() > 0) {
                    Position e = ledger.position(ext, W);
                    checkUntorn(e, extSellable, safety, extHeld0);
                    Position c = ledger.position(cart, W);
                    checkUntorn(c, cartSellable, safety, cartHeld0);
                    for (int rep = 0; rep < 32; rep++) {
                        long s = ledger.sellable(ext, W);
                        if (s != extSellable) {
                            fail("sellable(" + ext + ", " + W + ") read " + s + ", but every consistent read gives "
                                    + extSellable);
                        }
                        s = ledger.sellable(cart, W);
                        if (s != cartSellable) {
                            fail("sellable(" + cart + ", " + W + ") read " + s + ", but every consistent read gives "
                                    + cartSellable);
                        }
                    }
                    if ((n & 63) == 0) {
                        for (Position q : ledger.positions()) {
                            if (q.warehouseId().equals(W)) {
                                checkUntorn(q, q.productId().equals(ext) ? extSellable : cartSellable, safety,
                                        q.productId().equals(ext) ? extHeld0 : cartHeld0);
                            }
                        }
                    }
                    if (e.held() > 0 && e.held() < extHeld0 && c.held() > 0 && c.held() < cartHeld0) {
                        midway++;
                    }
                    n++;
                }
                reads.add(n);
                midwayReads.add(midway);
            });
        }
        runTogether("torn-read", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        assertThat(reads.sum()).as("reads made while writers ran").isGreaterThan(1_000);
        assertThat(midwayReads.sum()).as("reads that saw the writers half done").isGreaterThan(100);
        assertThat(ledger.position(ext, W))
                .isEqualTo(new Position(ext, W, stock - extHeld, 0, safety, extSellable, t1));
        assertThat(ledger.position(cart, W)) // confirms stamp the ledger's clock, still at T0
                .isEqualTo(new Position(cart, W, stock - cartHeld, 0, safety, cartSellable, T0));
        assertThat(ledger.available(ext, w2)).isEqualTo(extNoise.sum());
        assertThat(ledger.available(cart, w2)).isEqualTo(cartNoise.sum());
        assertThat(ledger.activeHolds()).isZero();
    }

    /** A position read while holds are consumed: sellable never moves, so any other value is a torn read. */
    private static void checkUntorn(Position p, long sellable, long safety, long maxHeld) {
        if (p.available() - p.held() - p.safetyStock() != p.sellable() || p.sellable() != sellable
                || p.safetyStock() != safety || p.held() < 0 || p.held() > maxHeld) {
            fail("torn position " + p + ": every consistent read has sellable " + sellable);
        }
    }

    @Test
    void parallelWritersToDifferentAndSharedProductsMatchASequentialRecount() throws Exception {
        final int threads = 8;
        final int eventsPerThread = 40_000;
        final String[] shared = {"SHARED-0", "SHARED-1", "SHARED-2", "SHARED-3"};
        InventoryLedger ledger = InventoryLedger.builder()
                .retainEndedReservations(1 << 20).build();
        List<List<Planned>> plans = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            plans.add(plan(t, eventsPerThread, "OWN-" + t, shared));
        }
        List<Worker> workers = new ArrayList<>();
        for (List<Planned> plan : plans) {
            workers.add(() -> {
                for (Planned pe : plan) {
                    ApplyOutcome o = ledger.apply(pe.event());
                    if (o != pe.expected()) {
                        fail(pe.event() + " was " + o + ", expected " + pe.expected());
                    }
                }
            });
        }
        runTogether("parallel-writers", workers);
        assertThat(ledger.audit().isClean()).as("audit after the run: held counters match the holds").isTrue();

        // The same events recounted on one thread: available is the sum of the deltas, held the holds still
        // open, lastUpdated the latest event time.
        Map<String, long[]> model = new HashMap<>(); // available, held, latest event time (epoch seconds)
        for (List<Planned> plan : plans) {
            for (Planned pe : plan) {
                if (pe.expected() != ApplyOutcome.APPLIED) {
                    continue;
                }
                InventoryEvent e = pe.event();
                long[] m = model.computeIfAbsent(e.productId() + "|" + e.warehouseId(),
                        key -> new long[] {0, 0, Long.MIN_VALUE});
                m[0] += e.availableDelta();
                if (e.kind() == EventKind.RESERVATION_HELD) {
                    m[1] += e.quantity();
                } else if (e.kind() == EventKind.RESERVATION_RELEASED
                        || (e.kind() == EventKind.ORDER_PLACED && e.reservationId() != null)) {
                    m[1] -= e.quantity();
                }
                m[2] = Math.max(m[2], e.eventTime().getEpochSecond());
            }
        }
        List<Position> expected = new ArrayList<>();
        Map<String, Long> availablePerProduct = new HashMap<>();
        for (Map.Entry<String, long[]> e : model.entrySet()) {
            String[] pw = e.getKey().split("\\|");
            long[] m = e.getValue();
            expected.add(new Position(pw[0], pw[1], m[0], m[1], 0, m[0] - m[1], Instant.ofEpochSecond(m[2])));
            availablePerProduct.merge(pw[0], m[0], Long::sum);
        }
        assertThat(ledger.positions()).containsExactlyInAnyOrderElementsOf(expected);
        TreeSet<String> outOfStock = new TreeSet<>();
        for (Map.Entry<String, Long> e : availablePerProduct.entrySet()) {
            assertThat(ledger.available(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            if (e.getValue() <= 0) {
                outOfStock.add(e.getKey());
            }
        }
        assertThat(ledger.outOfStock()).containsExactlyElementsOf(outOfStock);
    }

    /** An event to apply and what apply must return. */
    private record Planned(InventoryEvent event, ApplyOutcome expected) {
    }

    private record OpenHold(String id, String productId, String warehouseId, long quantity) {
    }

    /**
     * One thread's events: receipts, orders, cancellations, returns, holds and their releases or consuming
     * orders (on the thread's own holds only, so the recount does not depend on the interleaving), and
     * redeliveries of earlier events, which must count as duplicates.
     */
    private static List<Planned> plan(int thread, int events, String own, String[] shared) {
        SplittableRandom rnd = new SplittableRandom(500 + thread);
        List<Planned> plan = new ArrayList<>(events);
        List<InventoryEvent> applied = new ArrayList<>();
        List<OpenHold> open = new ArrayList<>();
        for (int n = 0; n < events; n++) {
            int roll = rnd.nextInt(100);
            if (roll < 10 && !applied.isEmpty()) {
                plan.add(new Planned(applied.get(rnd.nextInt(applied.size())), ApplyOutcome.DUPLICATE));
                continue;
            }
            String product = rnd.nextBoolean() ? own : shared[rnd.nextInt(shared.length)];
            String warehouse = "WH-" + (1 + rnd.nextInt(3));
            Instant time = T0.plusSeconds(rnd.nextInt(86_400));
            String id = "t" + thread + "-" + n;
            InventoryEvent e;
            if (roll < 30) {
                e = InventoryEvent.stockReceived("RCPT-" + id, product, warehouse, 1 + rnd.nextInt(50), time);
            } else if (roll < 50) {
                e = InventoryEvent.orderPlaced("ORD-" + id, product, warehouse, 1 + rnd.nextInt(10), time);
            } else if (roll < 58) {
                e = InventoryEvent.orderCancelled("ORD-" + id, product, warehouse, 1 + rnd.nextInt(10), time);
            } else if (roll < 65) {
                e = InventoryEvent.returnReceived("RET-" + id, product, warehouse, 1 + rnd.nextInt(5), time);
            } else if (roll < 80 || open.isEmpty()) {
                long q = 1 + rnd.nextInt(5);
                e = InventoryEvent.reservationHeld("RES-" + id, product, warehouse, q, time);
                open.add(new OpenHold("RES-" + id, product, warehouse, q));
            } else {
                OpenHold h = open.remove(rnd.nextInt(open.size()));
                e = roll < 90
                        ? InventoryEvent.reservationReleased(h.id(), h.productId(), h.warehouseId(), h.quantity(), time)
                        : InventoryEvent.orderPlaced("ORD-" + id, h.productId(), h.warehouseId(), h.quantity(), time)
                                .withReservationId(h.id());
            }
            plan.add(new Planned(e, ApplyOutcome.APPLIED));
            applied.add(e);
        }
        return plan;
    }

    // ============================================================================================ helpers

    /**
     * Runs each worker on its own thread, all released together, and waits at most {@link #BOUND_SECONDS} for
     * them (see {@link Together#run(String, long, List)}).
     */
    private static void runTogether(String name, List<Worker> workers) throws Exception {
        Together.run(name, BOUND_SECONDS, workers);
    }

    /** The worker, counting {@code left} down when it finishes however it finishes. */
    private static Worker countingDown(AtomicInteger left, Worker w) {
        return () -> {
            try {
                w.run();
            } finally {
                left.decrementAndGet();
            }
        };
    }

    /**
     * Makes every party call each id in turn, and opens id i+1 only once all parties have called id i. The
     * parties that were waiting (one per core) all see the new id at the same moment and call it at once,
     * which a barrier per id would not achieve: a barrier wakes its parties one by one, microseconds apart.
     */
    private static final class Lockstep {
        private final int parties;
        private final int ids;
        private final AtomicIntegerArray calls;
        /** The id now open: every party has called all the ids below it. */
        private final AtomicInteger open = new AtomicInteger();
        private volatile boolean aborted;

        Lockstep(int parties, int ids) {
            this.parties = parties;
            this.ids = ids;
            this.calls = new AtomicIntegerArray(ids);
        }

        /** Calls {@code call} with every id, in order, in step with the other parties. */
        void forEachId(IdCall call) throws Exception {
            for (int i = 0; i < ids; i++) {
                while (open.get() < i) {
                    if (aborted || Thread.currentThread().isInterrupted()) {
                        throw new BrokenBarrierException("another party failed or the test timed out");
                    }
                    Thread.yield(); // let the parties that have not called yet run
                }
                call.accept(i);
                if (calls.incrementAndGet(i) == parties) {
                    open.incrementAndGet();
                }
            }
        }

        /** The worker, releasing the other parties if it fails, so that they stop waiting for it. */
        Worker worker(Worker w) {
            return () -> {
                try {
                    w.run();
                } catch (Throwable t) {
                    aborted = true;
                    throw t;
                }
            };
        }
    }

    @FunctionalInterface
    private interface IdCall {
        void accept(int id) throws Exception;
    }

    private static HoldOutcome already(HoldOutcome winner) {
        return switch (winner) {
            case CONFIRMED -> HoldOutcome.ALREADY_CONFIRMED;
            case RELEASED -> HoldOutcome.ALREADY_RELEASED;
            default -> throw new IllegalArgumentException("not a winning outcome: " + winner);
        };
    }

    /** How the racing calls on one hold ended: the counts of the outcomes the checks read, and all of them. */
    private record Ends(int confirmed, int released, int alreadyConfirmed, int alreadyReleased, int lapsed, int late,
                        int[] counts) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (int o = 0; o < counts.length; o++) {
                if (counts[o] != 0) {
                    b.append(b.length() == 0 ? "" : ", ").append(OUTCOMES[o]).append(" x").append(counts[o]);
                }
            }
            return b.toString();
        }
    }

    private static Ends ends(AtomicIntegerArray outcomes, int i) {
        int[] c = new int[OUTCOMES.length];
        for (int o = 0; o < c.length; o++) {
            c[o] = outcomes.get(i * OUTCOMES.length + o);
        }
        return new Ends(c[HoldOutcome.CONFIRMED.ordinal()], c[HoldOutcome.RELEASED.ordinal()],
                c[HoldOutcome.ALREADY_CONFIRMED.ordinal()], c[HoldOutcome.ALREADY_RELEASED.ordinal()],
                c[HoldOutcome.EXPIRED.ordinal()], c[HoldOutcome.CONFIRMED_AFTER_EXPIRY.ordinal()], c);
    }

    private static int[] shuffled(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
        return a;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static long reservationsCounted(SimpleMeterRegistry registry, String outcome) {
        return (long) registry.get("inventory.reservations").tag("outcome", outcome).counter().count();
    }
}
