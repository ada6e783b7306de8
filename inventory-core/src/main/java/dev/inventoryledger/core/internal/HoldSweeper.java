package dev.inventoryledger.core.internal;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lapses a ledger's due holds on a schedule ({@code InventoryLedger.Builder.expireHoldsEvery}), so that active
 * holds and their meters follow expiry without waiting for a read. The work is {@link HoldActions#expireDue()};
 * the cycle is {@link #run()}; the thread is the scheduler's: the library's {@link #sharedScheduler() shared}
 * one, or one the caller injects.
 *
 * <p>The task holds the ledger's {@link HoldActions} weakly, and nothing else of the ledger: a scheduler (the
 * shared one lives as long as the JVM) never keeps a ledger alive. The first run after the ledger was collected
 * cancels the task; {@link #stop()} cancels it at once.
 *
 * <p>A sweep that throws a {@link RuntimeException} is counted ({@code inventory.holds.sweep.failures}) and the
 * schedule goes on; an {@link Error} is counted and rethrown, which ends the schedule (reads still lapse holds).
 * Thread-safe.
 */
public final class HoldSweeper implements Runnable {
    /** The name of the shared scheduler's thread. */
    public static final String THREAD_NAME = "inventory-ledger-hold-sweeper";
    /** The shortest period accepted: a shorter one would keep the shared thread spinning. */
    public static final Duration MIN_PERIOD = Duration.ofMillis(1);
    /** The longest period accepted: the longest a scheduler can take, in nanoseconds. */
    public static final Duration MAX_PERIOD = Duration.ofNanos(Long.MAX_VALUE);
    /** How long the shared thread outlives the last task scheduled on it. */
    private static final long SHARED_KEEP_ALIVE_SECONDS = 10;
    /** What a ledger without a schedule gets: stopping it does nothing. */
    private static final HoldSweeper OFF = new HoldSweeper(null, null);

    /** Cleared by the garbage collector once the ledger is gone; read by {@link #run()}. */
    private final WeakReference<HoldActions> actions;
    private final LedgerMetrics metrics;
    /**
     * The scheduled task: written once by {@link #start}, right after scheduling (a first run may come before
     * that); read by {@link #stop()} from any thread. Volatile, like {@link #stopped}, which {@code start} reads
     * after writing this: a stop either sees the task and cancels it, or is seen by {@code start}, which does.
     */
    private volatile ScheduledFuture<?> task;
    /** Set by {@link #stop()} (the ledger's {@code close}, or a run that found the ledger gone). */
    private volatile boolean stopped;

    private HoldSweeper(HoldActions actions, LedgerMetrics metrics) {
        this.actions = new WeakReference<>(actions);
        this.metrics = metrics;
    }

    /**
     * A checked option: sweep every {@code period} on {@code scheduler}.
     *
     * @param period    from the end of one sweep to the start of the next, within {@link #MIN_PERIOD} and
     *                  {@link #MAX_PERIOD}
     * @param scheduler where the sweeps run; the ledger never shuts it down
     */
    public record Schedule(Duration period, ScheduledExecutorService scheduler) {
        /**
         * @throws IllegalArgumentException if the period is out of range (the message names the builder option,
         *                                  {@code expireHoldsEvery}, and the value)
         * @throws NullPointerException     if either is null
         */
        public Schedule {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(scheduler, "scheduler");
            Checks.argument(period.compareTo(MIN_PERIOD) >= 0 && period.compareTo(MAX_PERIOD) <= 0,
                    "expireHoldsEvery must be between " + MIN_PERIOD + " and " + MAX_PERIOD + " but was %s", period);
        }
    }

    /**
     * Schedules the sweeps of {@code actions}' ledger as {@code schedule} says, the first one period from now;
     * for a null schedule, returns a sweeper that does nothing. The scheduler's refusal
     * ({@code RejectedExecutionException}) propagates.
     */
    public static HoldSweeper start(HoldActions actions, LedgerMetrics metrics, Schedule schedule) {
        if (schedule == null) {
            return OFF;
        }
        HoldSweeper sweeper = new HoldSweeper(actions, metrics);
        long nanos = schedule.period().toNanos();
        sweeper.task = schedule.scheduler().scheduleWithFixedDelay(sweeper, nanos, nanos, TimeUnit.NANOSECONDS);
        if (sweeper.stopped) {
            sweeper.task.cancel(false); // stopped before the task was known
        }
        return sweeper;
    }

    /** One sweep, or, if the ledger was collected, the end of the schedule. */
    @Override
    public void run() {
        HoldActions a = actions.get();
        if (a == null) {
            stop();
            return;
        }
        try {
            a.expireDue();
        } catch (RuntimeException e) {
            metrics.sweepFailed(); // counted; the next sweep tries again
        } catch (Error e) {
            metrics.sweepFailed();
            throw e;
        }
    }

    /** Cancels the schedule; a sweep already running finishes. Idempotent. */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * The library's scheduler: one daemon thread, {@value #THREAD_NAME}, started when a task is first scheduled
     * and let go {@value #SHARED_KEEP_ALIVE_SECONDS} s after the last one ends (started again for the next).
     * Cancelled tasks leave its queue at once.
     */
    public static ScheduledExecutorService sharedScheduler() {
        return Shared.SCHEDULER;
    }

    /** Made on first use (the holder idiom): a program that never sweeps never makes it. */
    private static final class Shared {
        static final ScheduledExecutorService SCHEDULER = make();

        private static ScheduledExecutorService make() {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true);
            s.setKeepAliveTime(SHARED_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
            s.allowCoreThreadTimeOut(true);
            return s;
        }
    }
}
