package dev.inventoryledger.kafka.internal;

import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link FeedCycle} on a daemon thread ({@code inventory-kafka-feed}), as Agrona's
 * {@code AgentRunner} runs an agent: {@code onStart}, then {@code doWork} while the cycle runs, then
 * {@code onClose}, whatever ended the loop. Owns the thread, the start handshake and the failure that stopped
 * the cycle.
 *
 * <p>DESIGN's "Operating on Kafka" (a later issue) fits here: {@code start()} returning once the replica has
 * read up to the end offsets found at start would count {@code ready} down when the cycle reports it caught
 * up rather than after {@code onStart}, and the feed's state (starting, catching up, live, failed) is this
 * runner's handshake plus the cycle's progress.
 *
 * <p>Threads: {@link #start()} and {@link #close()} from any thread ({@code start} holds this object's lock
 * while it waits for the cycle to start; {@code close} does not need it); the run loop on its own thread.
 */
public final class FeedRunner {
    private static final Logger LOG = LoggerFactory.getLogger(FeedRunner.class);
    private static final long START_SECONDS = 60;

    private final FeedCycle cycle;
    private final Duration closeTimeout;
    /** Counted down by the feed's thread once the cycle started, or as it ends; awaited by {@link #start()}. */
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Written once by {@link #start()} under this object's lock; read by any thread. */
    private volatile Thread thread;
    /** Written by {@link #close()}; read by {@link #start()}. */
    private volatile boolean closed;
    /** Written by the feed's thread before it counts {@link #ready} down or ends; read by any thread. */
    private volatile Throwable failure;

    /** @param closeTimeout how long {@link #close()} waits for the thread */
    public FeedRunner(FeedCycle cycle, Duration closeTimeout) {
        this.cycle = cycle;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Prepares the cycle on the calling thread, starts the feed's thread and waits until the cycle started.
     *
     * @throws IllegalStateException if already started or closed, if preparing failed, or if the cycle did not
     *                               start within 60 s (the cause says why)
     */
    public synchronized void start() {
        if (thread != null || closed) {
            throw new IllegalStateException(closed ? "feed closed: build a new one" : "feed already started");
        }
        cycle.prepare();
        Thread t = new Thread(this::run, "inventory-kafka-feed");
        t.setDaemon(true);
        thread = t;
        t.start();
        try {
            if (!ready.await(START_SECONDS, TimeUnit.SECONDS)) {
                close();
                throw new IllegalStateException("feed did not start within " + START_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            close(); // do not leave a feed running that the caller believes failed
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the feed", e);
        }
        if (closed) {
            throw new IllegalStateException("feed closed while it was starting");
        }
        if (failure != null) {
            close(); // the thread is ending: wait for it, so that isRunning() is false once this throws
            throw new IllegalStateException("feed failed to start", failure);
        }
    }

    /** Asks the cycle to stop and waits up to the close timeout for the thread to end. Idempotent. */
    public void close() {
        closed = true;
        cycle.stop();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(closeTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while the feed's thread runs. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Why the cycle stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            cycle.onStart();
            ready.countDown();
            while (cycle.isRunning()) {
                cycle.doWork();
            }
        } catch (WakeupException closing) {
            // close() woke the consumer: a normal stop
        } catch (Throwable t) {
            fail(t);
        } finally {
            try {
                cycle.onClose();
            } catch (Throwable t) {
                if (failure == null) {
                    fail(t); // a client that would not close
                }
            } finally {
                ready.countDown();
            }
        }
    }

    private void fail(Throwable t) {
        failure = t;
        LOG.error("inventory feed stopped: {}", t.toString(), t);
    }
}
