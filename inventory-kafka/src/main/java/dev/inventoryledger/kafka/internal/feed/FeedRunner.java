package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.kafka.FeedState;
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
 * the cycle, and the feed's {@link FeedState}: {@code STARTING} from {@link #start()}, {@code CATCHING_UP} once
 * the cycle has started, {@code LIVE} once it has read up to the end offsets found at start (then {@link #start()}
 * returns), {@code FAILED} when the cycle stops on its own, {@code CLOSED} after {@link #close()}.
 *
 * <p>Threads: {@link #start()} and {@link #close()} from any thread ({@code start} holds this object's lock
 * while it waits for the cycle to start; {@code close} does not need it); the run loop on its own thread.
 */
public final class FeedRunner {
    private static final Logger LOG = LoggerFactory.getLogger(FeedRunner.class);
    private final FeedCycle cycle;
    private final Duration closeTimeout;
    private final Duration startTimeout;
    /** Counted down by the feed's thread once the replica caught up, or as it ends; awaited by {@link #start()}. */
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Written once by {@link #start()} under this object's lock; read by any thread. */
    private volatile Thread thread;
    /** Written by {@link #close()}; read by {@link #start()}. */
    private volatile boolean closed;
    /** The cycle has ended (set before a failure shows as {@code FAILED}). */
    private volatile boolean stopped;
    /** Written by the feed's thread before it counts {@link #ready} down or ends; read by any thread. */
    private volatile Throwable failure;

    /**
     * @param closeTimeout how long {@link #close()} waits for the thread
     * @param startTimeout how long {@link #start()} waits for the replica to catch up
     */
    public FeedRunner(FeedCycle cycle, Duration closeTimeout, Duration startTimeout) {
        this.cycle = cycle;
        this.closeTimeout = closeTimeout;
        this.startTimeout = startTimeout;
    }

    /**
     * Prepares the cycle on the calling thread, starts the feed's thread and waits until the replica has read
     * every partition up to the end offsets found at start.
     *
     * @throws IllegalStateException if already started or closed, if preparing failed, if the cycle failed (the
     *                               message and the cause say why), or if it did not catch up within the start
     *                               timeout (the feed is then closed)
     */
    public synchronized void start() {
        if (thread != null || closed) {
            throw new IllegalStateException(closed ? "feed closed: build a new one" : "feed already started");
        }
        try {
            cycle.prepare();
        } catch (RuntimeException e) {
            cycle.metrics().state(FeedState.FAILED);
            failure = e;
            throw e instanceof IllegalStateException ? e
                    : new IllegalStateException("feed failed to start: " + e.getMessage(), e);
        }
        Thread t = new Thread(this::run, "inventory-kafka-feed");
        t.setDaemon(true);
        thread = t;
        t.start();
        try {
            if (!ready.await(startTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                long behind = cycle.behindStart();
                close();
                throw new IllegalStateException("feed did not catch up within its startTimeout (" + startTimeout
                        + "): " + behind + " records still to read of those there at start");
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
            throw new IllegalStateException("feed failed to start: " + failure.getMessage(), failure);
        }
    }

    /** Asks the cycle to stop and waits up to the close timeout for the thread to end. Idempotent. */
    public void close() {
        closed = true;
        if (cycle.metrics().state() != FeedState.FAILED) {
            cycle.metrics().state(FeedState.CLOSED);
        }
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
        return t != null && t.isAlive() && !stopped;
    }

    /** Why the cycle stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            cycle.onStart();
            moveTo(FeedState.CATCHING_UP);
            while (cycle.isRunning()) {
                if (ready.getCount() > 0 && cycle.caughtUp()) {
                    moveTo(FeedState.LIVE);
                    ready.countDown();
                }
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
                stopped = true; // before FAILED shows: whoever sees it sees a feed no longer running
                if (failure != null) {
                    cycle.metrics().state(FeedState.FAILED); // once stopped: FAILED means nothing runs
                }
                ready.countDown();
            }
        }
    }

    private void fail(Throwable t) {
        failure = t;
        LOG.error("inventory feed stopped: {}", t.toString(), t);
    }

    /** A transition, unless the feed was closed or failed meanwhile. */
    private void moveTo(FeedState next) {
        if (!closed && failure == null) {
            cycle.metrics().state(next);
        }
    }
}
