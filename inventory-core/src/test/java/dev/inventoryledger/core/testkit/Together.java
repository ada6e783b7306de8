package dev.inventoryledger.core.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts a stress test's workers at the same moment and bounds the wait for them, for every test that races
 * threads against a ledger. A deadlock or livelock fails the test with the stacks of the stuck threads instead
 * of hanging the build; nothing here sleeps or looks at how long anything took.
 */
public final class Together {
    /** One thread's part of a stress test. */
    @FunctionalInterface
    public interface Worker {
        void run() throws Exception;
    }

    private Together() {
    }

    /** As {@link #run(String, long, List, Runnable)}, with nothing to tell the other workers when one fails. */
    public static void run(String name, long boundSeconds, List<Worker> workers) throws Exception {
        run(name, boundSeconds, workers, () -> {
        });
    }

    /**
     * Runs each worker on its own daemon thread ({@code name-0}, {@code name-1}, …), all released together by a
     * barrier, and waits at most {@code boundSeconds} for all of them (and for the barrier).
     *
     * @param onFailure run when a worker fails (on that worker's thread) and when the bound passes, so that the
     *                  other workers can be told to end
     * @throws AssertionError when a thread is still running after the bound, with the stacks of every thread
     * @throws Exception      the first failure of a worker, rethrown, the others suppressed; a worker's own
     *                        failure is preferred to the {@link BrokenBarrierException} it caused in its peers
     */
    public static void run(String name, long boundSeconds, List<Worker> workers, Runnable onFailure)
            throws Exception {
        int n = workers.size();
        CyclicBarrier start = new CyclicBarrier(n);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, name + "-" + seq.getAndIncrement());
            t.setDaemon(true); // a deadlocked thread must not keep the test JVM alive
            threads.add(t);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (Worker w : workers) {
                futures.add(pool.submit(() -> {
                    try {
                        start.await(boundSeconds, TimeUnit.SECONDS);
                        w.run();
                    } catch (Throwable t) {
                        onFailure.run();
                        throw t;
                    }
                    return null;
                }));
            }
        } finally {
            pool.shutdown();
        }
        if (!pool.awaitTermination(boundSeconds, TimeUnit.SECONDS)) {
            onFailure.run();
            String stacks = stacks(threads);
            pool.shutdownNow();
            throw new AssertionError(name + ": threads still running after " + boundSeconds
                    + " s (deadlock or livelock)\n" + stacks);
        }
        Throwable first = null;
        List<Throwable> others = new ArrayList<>();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                // A worker that failed breaks the barriers of its peers; report its failure, not theirs.
                if (first == null || first instanceof BrokenBarrierException) {
                    if (first != null) {
                        others.add(first);
                    }
                    first = cause;
                } else {
                    others.add(cause);
                }
            }
        }
        if (first != null) {
            others.forEach(first::addSuppressed);
            if (first instanceof Error err) {
                throw err;
            }
            throw (Exception) first;
        }
    }

    private static String stacks(List<Thread> threads) {
        StringBuilder b = new StringBuilder();
        for (Thread t : threads) {
            b.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("    at ").append(e).append('\n');
            }
        }
        return b.toString();
    }
}
