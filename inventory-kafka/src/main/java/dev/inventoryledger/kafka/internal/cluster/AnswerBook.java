package dev.inventoryledger.kafka.internal.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The requests this instance is waiting on. A request completes when its replica has applied every record of
 * one answer to it (so that a read after the future completes sees the decision), or at once for a decision
 * taken here that wrote nothing; after its bound it completes with {@link #UNKNOWN}. A request sent to
 * another owner is sent again every resend interval until answered: a new owner reads requests only from
 * where it took the partition, and a request decided twice gets the decision taken (the reservation id makes
 * it idempotent).
 */
public final class AnswerBook {
    /** What a request completes with when no answer came within its bound. */
    public static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "outcome unknown";
        }
    };

    /** A request waited on. */
    public static final class Waiting {
        public final ClusterRequest request;
        public final int partition;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final long deadline;
        final boolean resend;
        long nextResend;
        private final Map<String, Integer> seen = new HashMap<>();

        Waiting(ClusterRequest request, int partition, long deadline, boolean resend, long nextResend) {
            this.request = request;
            this.partition = partition;
            this.deadline = deadline;
            this.resend = resend;
            this.nextResend = nextResend;
        }
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final long timeoutNanos, resendNanos;

    public AnswerBook(long timeoutNanos, long resendNanos) {
        this.timeoutNanos = timeoutNanos;
        this.resendNanos = resendNanos;
    }

    /** Waits on a request from now; {@code resend} if it goes through the requests topic. */
    public CompletableFuture<Object> expect(ClusterRequest request, int partition, boolean resend, long now) {
        Waiting w = new Waiting(request, partition, now + timeoutNanos, resend, now + resendNanos);
        waiting.put(request.requestId(), w);
        return w.future;
    }

    /** A record of an answer was applied (or, for an answer that changed nothing, read). */
    public void admitted(String requestId, String answerId, int count, byte[] outcome) {
        Waiting w = requestId == null ? null : waiting.get(requestId);
        if (w == null || answerId == null || outcome == null) {
            return;
        }
        boolean whole;
        synchronized (w) {
            whole = w.seen.merge(answerId, 1, Integer::sum) >= count;
        }
        if (whole && waiting.remove(requestId, w)) {
            w.future.complete(ClusterAnswer.decode(outcome));
        }
    }

    /** A decision taken here that wrote nothing: its outcome at once. */
    public void completeNow(String requestId, Object outcome) {
        Waiting w = waiting.remove(requestId);
        if (w != null) {
            w.future.complete(outcome);
        }
    }

    /** Stops waiting on a request that was never asked. */
    public void forget(String requestId) {
        waiting.remove(requestId);
    }

    /** Completes the overdue with {@link #UNKNOWN}; hands the ones due a resend to {@code resend}. */
    public void tick(long now, Consumer<Waiting> resend) {
        for (Waiting w : waiting.values()) {
            if (now - w.deadline >= 0) {
                if (waiting.remove(w.request.requestId(), w)) {
                    w.future.complete(UNKNOWN);
                }
            } else if (w.resend && now - w.nextResend >= 0) {
                w.nextResend = now + resendNanos;
                resend.accept(w);
            }
        }
    }

    /** Completes every request waited on with {@link #UNKNOWN} (closing, or failed). */
    public void abandonAll() {
        for (Waiting w : waiting.values()) {
            if (waiting.remove(w.request.requestId(), w)) {
                w.future.complete(UNKNOWN);
            }
        }
    }

    /** Requests waited on now. */
    public int size() {
        return waiting.size();
    }
}
