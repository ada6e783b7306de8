package dev.inventoryledger.core.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose periodic tasks run only when a test says so ({@link #runPeriodicTasks()}), on the test's
 * thread: the scheduler's time is the test's, as a {@link ManualClock}'s is. It keeps the two rules of a real
 * {@link ScheduledExecutorService} that a periodic task relies on: a cancelled task never runs again, and a
 * task whose run throws is not run again (its future then holds the exception). Only
 * {@link #scheduleWithFixedDelay} and {@link #scheduleAtFixedRate} are supported; every other way to submit
 * work is refused. Thread-safe.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final List<Periodic> tasks = new CopyOnWriteArrayList<>();
    private volatile boolean shutdown;

    /** A periodic task as this scheduler holds it (strongly, as a real one does). */
    public static final class Periodic extends FutureTask<Void> implements ScheduledFuture<Void> {
        private final Duration period;

        private Periodic(Runnable task, Duration period) {
            super(task, null);
            this.period = period;
        }

        /** The period (or delay) asked for. */
        public Duration period() {
            return period;
        }

        /** Runs the task once; false if it threw or was cancelled (it will not run again). */
        boolean runOnce() {
            return runAndReset();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(period);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    /** Runs every periodic task that is still scheduled, once each, in the order scheduled; returns how many ran. */
    public int runPeriodicTasks() {
        int ran = 0;
        for (Periodic p : tasks) {
            if (!p.isDone()) {
                p.runOnce();
                ran++;
            }
        }
        return ran;
    }

    /** Every periodic task ever scheduled here, cancelled and failed ones included. */
    public List<Periodic> tasks() {
        return List.copyOf(tasks);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return periodic(command, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return periodic(command, period, unit);
    }

    private Periodic periodic(Runnable command, long period, TimeUnit unit) {
        if (shutdown) {
            throw new RejectedExecutionException("manual scheduler shut down");
        }
        Periodic p = new Periodic(command, Duration.of(period, unit.toChronoUnit()));
        tasks.add(p);
        return p;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only periodic tasks");
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only periodic tasks");
    }

    @Override
    public void execute(Runnable command) {
        throw new UnsupportedOperationException("only periodic tasks");
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> pending = new ArrayList<>();
        for (Periodic p : tasks) {
            if (p.cancel(false)) {
                pending.add(p);
            }
        }
        return pending;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }
}
