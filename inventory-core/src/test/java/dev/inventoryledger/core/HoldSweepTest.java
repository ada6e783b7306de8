package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.HoldSweeper;
import dev.inventoryledger.core.testkit.ManualClock;
import dev.inventoryledger.core.testkit.ManualScheduler;
import dev.inventoryledger.core.testkit.Together;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static dev.inventoryledger.core.InventoryEvent.stockReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * DESIGN's "Holds" (a hold ends exactly once, expiry included) and "Alerts and metrics" (active holds, reservations
 * by outcome), for a ledger that sweeps lapsed holds on a schedule ({@link InventoryLedger.Builder#expireHoldsEvery}).
 * Most tests drive the sweep by hand through a {@link ManualScheduler}, with a {@link ManualClock}; the last ones
 * use the library's real shared scheduler and only wait, bounded, for a condition.
 */
class HoldSweepTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration PERIOD = Duration.ofSeconds(1);
    /** Upper bound on every wait for another thread or the garbage collector; exceeding it is a failure. */
    private static final long BOUND_SECONDS = 60;
    private static final int RACE_HOLDS = 20_000;
    private static final int RACE_ENDERS = 2;
    private static final int RACE_CLOCK_STEPS = 150; // 1 ms each; the longest ttl in the race is 100 ms
    private static final long RACE_STOCK = 1_000_000;
    private static final HoldOutcome[] KINDS = HoldOutcome.values();

    private final ManualClock clock = new ManualClock(T);
    private final ManualScheduler scheduler = new ManualScheduler();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double reservations(String outcome) {
        return registry.get("inventory.reservations").tag("outcome", outcome).counter().count();
    }

    private double activeHoldsGauge() {
        return registry.get("inventory.holds.active").gauge().value();
    }

    private double sweepFailures() {
        return registry.get("inventory.holds.sweep.failures").counter().count();
    }

    /** A ledger stocked with 9 units of SKU-1 and of SKU-2, holding 1 of SKU-1 for 1 min and 1 + 1 of SKU-2 for 2 and 3. */
    private static InventoryLedger withThreeHolds(InventoryLedger ledger) {
        ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T));
        ledger.apply(stockReceived("RCPT-2", "SKU-2", "WH-1", 9, T));
        assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "a", Duration.ofMinutes(1)).accepted()).isTrue();
        assertThat(ledger.tryReserve("SKU-2", "WH-1", 1, "b", Duration.ofMinutes(2)).accepted()).isTrue();
        assertThat(ledger.tryReserve("SKU-2", "WH-1", 1, "c", Duration.ofMinutes(3)).accepted()).isTrue();
        return ledger;
    }

    /**
     * The test's {@link ManualClock}, telling {@code reader} of each thread that reads it, and throwing while
     * {@code failing} is set (a stub of our own time source, as the clock and scheduler of every test here are).
     */
    private Clock observed(Consumer<Thread> reader, AtomicBoolean failing) {
        return new Clock() {
            @Override
            public Instant instant() {
                reader.accept(Thread.currentThread());
                if (failing.get()) {
                    throw new IllegalStateException("clock unavailable (test)");
                }
                return clock.instant();
            }

            @Override
            public ZoneId getZone() {
                return clock.getZone();
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("the test's clock stays in UTC");
            }
        };
    }

    /** Waits, bounded, until {@code condition} holds, re-checking about every millisecond. */
    private static void awaitBounded(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + BOUND_SECONDS + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Nested
    class ScheduledSweep {
        @Test
        void lapsedHoldsLeaveActiveHoldsAndTheMetricsWithoutAnyRead() {
            InventoryLedger ledger = withThreeHolds(InventoryLedger.builder().clock(clock).meterRegistry(registry)
                    .expireHoldsEvery(PERIOD, scheduler).build());
            assertThat(scheduler.tasks()).singleElement()
                    .satisfies(t -> assertThat(t.period()).isEqualTo(PERIOD));

            clock.advance(Duration.ofMinutes(2)); // "a" and "b" are due; nothing reads them
            assertThat(ledger.activeHolds()).as("before the sweep: lapsed holds leave only when reached")
                    .isEqualTo(3);
            assertThat(reservations("expired")).isZero();

            assertThat(scheduler.runPeriodicTasks()).isEqualTo(1);
            assertThat(ledger.activeHolds()).isEqualTo(1);
            assertThat(activeHoldsGauge()).isEqualTo(1);
            assertThat(reservations("expired")).isEqualTo(2);

            scheduler.runPeriodicTasks(); // nothing more is due: nothing changes
            assertThat(reservations("expired")).isEqualTo(2);
            clock.advance(Duration.ofMinutes(1));
            scheduler.runPeriodicTasks();
            assertThat(ledger.activeHolds()).isZero();
            assertThat(reservations("expired")).isEqualTo(3);
            assertThat(ledger.audit().isClean()).isTrue();
            assertThat(ledger.sellable("SKU-2", "WH-1")).isEqualTo(9);
        }

        @Test
        void withoutTheOptionNothingIsScheduledAndHoldsLeaveOnlyWhenReached() {
            ScheduledThreadPoolExecutor shared = (ScheduledThreadPoolExecutor) HoldSweeper.sharedScheduler();
            int queued = shared.getQueue().size();
            for (int i = 0; i < 100; i++) {
                InventoryLedger.builder().build();
            }
            assertThat(shared.getQueue().size()).as("sweeps on the shared scheduler").isLessThanOrEqualTo(queued);
            InventoryLedger ledger = withThreeHolds(InventoryLedger.builder().clock(clock).meterRegistry(registry)
                    .build());
            clock.advance(Duration.ofMinutes(3));
            assertThat(ledger.activeHolds()).isEqualTo(3);
            assertThat(ledger.expireHolds()).isEqualTo(3);
            ledger.close(); // nothing to stop
            assertThat(ledger.activeHolds()).isZero();
        }

        @Test
        void closeStopsTheSweepAndNothingElse() {
            InventoryLedger ledger = withThreeHolds(InventoryLedger.builder().clock(clock).meterRegistry(registry)
                    .expireHoldsEvery(PERIOD, scheduler).build());
            ledger.close();
            ledger.close(); // idempotent
            assertThat(scheduler.tasks()).singleElement().satisfies(t -> assertThat(t.isCancelled()).isTrue());

            clock.advance(Duration.ofMinutes(2));
            assertThat(scheduler.runPeriodicTasks()).isZero();
            assertThat(ledger.activeHolds()).as("no sweep after close").isEqualTo(3);
            // every other method keeps working: reads lapse what they reach, expireHolds sweeps by hand
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.activeHolds()).isEqualTo(2);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 9, "d", Duration.ofMinutes(5)).accepted()).isTrue();
            assertThat(ledger.expireHolds()).isEqualTo(1);
            assertThat(ledger.activeHolds()).isEqualTo(2);
            assertThat(ledger.confirm("d", "ORD-d")).isEqualTo(HoldOutcome.CONFIRMED);
        }

        @Test
        void aSweepThatThrowsIsCountedAndTheNextOneRuns() {
            AtomicBoolean failing = new AtomicBoolean();
            InventoryLedger ledger = withThreeHolds(InventoryLedger.builder().clock(observed(t -> { }, failing))
                    .meterRegistry(registry).expireHoldsEvery(PERIOD, scheduler).build());
            clock.advance(Duration.ofMinutes(3));

            failing.set(true);
            assertThat(scheduler.runPeriodicTasks()).isEqualTo(1);
            failing.set(false);
            assertThat(sweepFailures()).isEqualTo(1);
            assertThat(scheduler.tasks()).singleElement().satisfies(t -> assertThat(t.isDone())
                    .as("a periodic task that throws is never run again: the sweep must not throw").isFalse());

            assertThat(scheduler.runPeriodicTasks()).isEqualTo(1);
            assertThat(ledger.activeHolds()).isZero();
            assertThat(reservations("expired")).isEqualTo(3);
            assertThat(sweepFailures()).isEqualTo(1);
        }

        @Test
        void optionsAreCheckedWhenSet() {
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(Duration.ZERO, scheduler))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expireHoldsEvery")
                    .hasMessageContaining("PT0S");
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(Duration.ofSeconds(-5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expireHoldsEvery")
                    .hasMessageContaining("PT-5S");
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(Duration.ofNanos(999_999)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expireHoldsEvery")
                    .hasMessageContaining("PT0.000999999S");
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(Duration.ofDays(365L * 300)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expireHoldsEvery")
                    .hasMessageContaining("PT2628000H");
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("period");
            assertThatThrownBy(() -> InventoryLedger.builder().expireHoldsEvery(PERIOD, null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("scheduler");
            // the bounds themselves are accepted
            InventoryLedger.builder().expireHoldsEvery(Duration.ofMillis(1), scheduler).build().close();
            InventoryLedger.builder().expireHoldsEvery(Duration.ofNanos(Long.MAX_VALUE), scheduler).build().close();
        }

        @Test
        void aSchedulerThatRefusesTheSweepFailsTheBuild() {
            scheduler.shutdown();
            InventoryLedger.Builder builder = InventoryLedger.builder().expireHoldsEvery(PERIOD, scheduler);
            assertThatThrownBy(builder::build).isInstanceOf(RejectedExecutionException.class);
        }
    }

    /**
     * A ledger the program dropped without {@code close()} must not be kept alive by its scheduler: neither the
     * ledger nor anything it holds (here, a listener only the ledger refers to stands for its state).
     */
    @Nested
    class Reachability {
        @Test
        void aLedgerDroppedWithoutCloseIsCollectedAndItsSweepCancelsItself() throws Exception {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            List<WeakReference<Object>> refs = droppedLedger(scheduler, queue);
            ManualScheduler.Periodic task = scheduler.tasks().get(0);
            awaitCollected(refs, queue);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            while (!task.isCancelled()) { // the first run that finds the ledger gone cancels the task
                assertThat(System.nanoTime() - deadline).as("sweep still scheduled for a collected ledger")
                        .isNegative();
                System.gc();
                scheduler.runPeriodicTasks();
            }
            assertThat(scheduler.runPeriodicTasks()).isZero();
        }

        @Test
        void theSharedSchedulerKeepsNothingOfADroppedLedgerAlive() throws Exception {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            awaitCollected(droppedLedger(null, queue), queue);
        }

        /**
         * Weak references to a ledger sweeping every millisecond (on the shared scheduler for null), with holds,
         * and to a listener only that ledger refers to; the ledger itself is dropped.
         */
        private List<WeakReference<Object>> droppedLedger(ManualScheduler on, ReferenceQueue<Object> q) {
            StockAlertListener listener = new ArrayList<StockAlert>()::add; // a new object, not a cached lambda
            InventoryLedger.Builder b = InventoryLedger.builder().clock(clock).listener(listener);
            InventoryLedger ledger = (on == null ? b.expireHoldsEvery(Duration.ofMillis(1))
                    : b.expireHoldsEvery(Duration.ofMillis(1), on)).build();
            withThreeHolds(ledger);
            return List.of(new WeakReference<>(ledger, q), new WeakReference<>(listener, q));
        }

        private void awaitCollected(List<WeakReference<Object>> refs, ReferenceQueue<Object> queue)
                throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            int collected = 0;
            while (collected < refs.size()) {
                assertThat(System.nanoTime() - deadline).as("still reachable after " + BOUND_SECONDS
                        + " s of garbage collections: " + refs.stream().map(WeakReference::get).toList())
                        .isNegative();
                System.gc();
                while (queue.remove(10) != null) {
                    collected++;
                }
            }
            assertThat(refs).allSatisfy(r -> assertThat(r.get()).isNull());
        }
    }

    @Nested
    class SharedScheduler {
        @Test
        void holdsLapseOnTheSharedDaemonThreadWithoutAnyRead() {
            Set<Thread> readers = ConcurrentHashMap.newKeySet();
            InventoryLedger ledger = withThreeHolds(InventoryLedger.builder()
                    .clock(observed(readers::add, new AtomicBoolean())).meterRegistry(registry)
                    .expireHoldsEvery(Duration.ofMillis(1)).build());
            try {
                clock.advance(Duration.ofMinutes(3));
                awaitBounded("every hold lapsed by the sweep", () -> ledger.activeHolds() == 0);
                assertThat(reservations("expired")).isEqualTo(3);
                assertThat(activeHoldsGauge()).isZero();
                assertThat(readers).as("the threads that read the ledger's clock")
                        .anySatisfy(t -> assertThat(t).returns(HoldSweeper.THREAD_NAME, Thread::getName)
                                .returns(true, Thread::isDaemon));
            } finally {
                ledger.close();
            }
        }

        /**
         * Two threads confirm or release every hold while the clock moves and the shared sweeper lapses what is
         * due (after every step of the clock, the test waits for a sweep): each hold ends once (confirmed, released
         * or expired), and the units sold are what the calls report.
         */
        @Test
        void theSweepRacingConfirmAndReleaseEndsEachHoldExactlyOnce() throws Exception {
            AtomicLong sweeps = new AtomicLong(); // reads of the clock by the sweeper's thread
            Clock counting = observed(t -> {
                if (t.getName().equals(HoldSweeper.THREAD_NAME)) {
                    sweeps.incrementAndGet();
                }
            }, new AtomicBoolean());
            InventoryLedger ledger = InventoryLedger.builder().clock(counting).meterRegistry(registry)
                    .retainEndedReservations(1 << 16).expireHoldsEvery(Duration.ofMillis(1)).build();
            try {
                ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", RACE_STOCK, T));
                SplittableRandom setup = new SplittableRandom(900);
                long[] qty = new long[RACE_HOLDS];
                for (int i = 0; i < RACE_HOLDS; i++) {
                    qty[i] = 1 + i % 3;
                    assertThat(ledger.tryReserve("SKU-1", "WH-1", qty[i], "cart-" + i,
                            Duration.ofMillis(1 + setup.nextInt(100))).accepted()).isTrue();
                }
                AtomicIntegerArray outcomes = new AtomicIntegerArray(RACE_HOLDS * KINDS.length);
                Together.run("sweep-race", BOUND_SECONDS, raceWorkers(ledger, outcomes, sweeps));

                List<String> violations = new ArrayList<>();
                long sold = 0;
                for (int i = 0; i < RACE_HOLDS; i++) {
                    int confirmed = outcome(outcomes, i, HoldOutcome.CONFIRMED);
                    int released = outcome(outcomes, i, HoldOutcome.RELEASED);
                    int late = outcome(outcomes, i, HoldOutcome.CONFIRMED_AFTER_EXPIRY);
                    if (confirmed + released + late > 1) {
                        violations.add("cart-" + i + ": confirmed " + confirmed + ", released " + released
                                + ", confirmed after expiry " + late);
                    }
                    sold += (confirmed + late) * qty[i];
                }
                assertThat(violations).as("holds ended more than once by the calls").isEmpty();
                assertThat(ledger.activeHolds()).isZero();
                assertThat(reservations("confirmed") + reservations("released") + reservations("expired"))
                        .as("endings counted: each hold ends exactly once").isEqualTo(RACE_HOLDS);
                assertThat(reservations("expired")).as("holds that lapsed before any call ended them").isPositive();
                assertThat(ledger.audit().isClean()).isTrue();
                assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(RACE_STOCK - sold);
            } finally {
                ledger.close();
            }
        }

        /**
         * Threads that each confirm or release every hold, and one that moves the clock 1 ms
         * whenever they have made another step's share of their calls, then waits for a sweep.
         */
        private List<Together.Worker> raceWorkers(InventoryLedger ledger, AtomicIntegerArray outcomes,
                                                  AtomicLong sweeps) {
            AtomicLong calls = new AtomicLong();
            AtomicInteger endersLeft = new AtomicInteger(RACE_ENDERS);
            List<Together.Worker> workers = new ArrayList<>();
            for (int t = 0; t < RACE_ENDERS; t++) {
                SplittableRandom rnd = new SplittableRandom(910 + t);
                workers.add(() -> {
                    try {
                        for (int i = 0; i < RACE_HOLDS; i++) {
                            String id = "cart-" + i;
                            HoldOutcome o = rnd.nextBoolean() ? ledger.confirm(id, "ORD-" + id) : ledger.release(id);
                            outcomes.incrementAndGet(i * KINDS.length + o.ordinal());
                            calls.incrementAndGet();
                        }
                    } finally {
                        endersLeft.decrementAndGet();
                    }
                });
            }
            workers.add(() -> {
                for (int step = 1; step <= RACE_CLOCK_STEPS; step++) {
                    long due = (long) RACE_ENDERS * RACE_HOLDS * step / RACE_CLOCK_STEPS;
                    while (calls.get() < due && endersLeft.get() > 0) {
                        Thread.yield();
                    }
                    clock.advance(Duration.ofMillis(1));
                    long seen = sweeps.get();
                    awaitBounded("a sweep after the clock moved", () -> sweeps.get() > seen);
                }
            });
            return workers;
        }

        private int outcome(AtomicIntegerArray outcomes, int hold, HoldOutcome o) {
            return outcomes.get(hold * KINDS.length + o.ordinal());
        }
    }
}
