package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.LocalEventListener;
import dev.inventoryledger.core.internal.DecisionGuard;
import dev.inventoryledger.core.internal.LedgerAccess;
import dev.inventoryledger.kafka.internal.EventCodec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes an owner's decisions: runs the request against the ledger (the replica, which already counts this
 * owner's earlier decisions, applied the moment they were taken), collects the events the ledger tells for it,
 * and writes them to the article's topics in the request's partition through the {@link DecisionLog} (stamped
 * with the owner's epoch if it fences so), with the request and the outcome. The caller holds the partition's read lock ({@link Ownership}) throughout.
 */
public final class Decider {
    /** What one decision came to. */
    public record Decision(Object outcome, int records) {
    }

    private final InventoryLedger ledger;
    private final DecisionGuard guard;
    private final DecisionLog log;
    private final String me, reservationsTopic, ordersTopic;
    private final AtomicLong answers = new AtomicLong();
    private final ThreadLocal<List<InventoryEvent>> told = new ThreadLocal<>();

    public Decider(InventoryLedger ledger, DecisionLog log, String me, String reservationsTopic, String ordersTopic) {
        this.ledger = ledger;
        this.guard = LedgerAccess.guard(ledger);
        this.log = log;
        this.me = me;
        this.reservationsTopic = reservationsTopic;
        this.ordersTopic = ordersTopic;
    }

    /** Hears the events of the ledger's operations; keeps those of a decision under way on this thread. */
    public LocalEventListener listener() {
        return events -> {
            List<InventoryEvent> mine = told.get();
            if (mine != null) {
                mine.addAll(events);
            }
        };
    }

    /**
     * Decides the request and writes what it stands for. A decision that changed nothing writes one record with
     * no value (its answer, on the log's {@link DecisionLog#answersTopic()}) if {@code answerAlways}, else
     * nothing. Arguments the ledger refuses are answered as a
     * {@link ClusterAnswer.Refused} if {@code answerAlways}, else thrown. Decisions on one partition are taken one at a
     * time, each handed to the producer before the next, so that the log's order is the order of decision
     * ({@link ClusterHeaders#SEQUENCE} orders them across the partition's topics).
     */
    public Decision decide(ClusterRequest request, Ownership.Partition partition, boolean answerAlways) {
        List<InventoryEvent> events = new ArrayList<>(request.lines() == null ? 2 : request.lines().size());
        synchronized (partition) {
            Object outcome;
            told.set(events);
            try {
                outcome = execute(request);
            } catch (InvalidEventException refused) {
                if (!answerAlways) {
                    throw refused; // the caller is on this thread
                }
                outcome = new ClusterAnswer.Refused(refused.field(), refused.getMessage()); // nothing changed
            } finally {
                told.remove();
            }
            if (events.isEmpty() && !answerAlways) {
                return new Decision(outcome, 0);
            }
            int count = Math.max(1, events.size());
            List<Header> headers = nextDecision(partition);
            headers.add(ClusterHeaders.header(ClusterHeaders.REQUEST, request.requestId()));
            headers.add(ClusterHeaders.header(ClusterHeaders.ANSWER, me + "#" + answers.incrementAndGet()));
            headers.add(ClusterHeaders.header(ClusterHeaders.COUNT, Integer.toString(count)));
            headers.add(new RecordHeader(ClusterHeaders.OUTCOME, ClusterAnswer.encode(outcome)));
            if (events.isEmpty()) {
                log.send(partition, new ProducerRecord<byte[], byte[]>(log.answersTopic(), partition.partition,
                        key(request.key()), (byte[]) null, headers));
            }
            for (InventoryEvent e : events) {
                String topic = e.kind() == EventKind.ORDER_PLACED ? ordersTopic : reservationsTopic;
                log.send(partition, new ProducerRecord<>(topic, partition.partition, key(e.productId()),
                        EventCodec.encode(e), headers));
            }
            return new Decision(outcome, count);
        }
    }

    /**
     * Writes the {@code released} of holds that lapsed in the partition, as one decision with no request: the
     * replicas had already stopped counting them; the history now says so.
     */
    public void publishLapsed(List<InventoryEvent> released, Ownership.Partition partition) {
        synchronized (partition) {
            List<Header> headers = nextDecision(partition);
            for (InventoryEvent e : released) {
                log.send(partition, new ProducerRecord<>(reservationsTopic, partition.partition, key(e.productId()),
                        EventCodec.encode(e), headers));
            }
        }
    }

    /**
     * The headers every decision carries: the owner's epoch (as {@link ClusterHeaders#GENERATION} if the log
     * does not fence by it), the decision's place on the partition, the owner.
     */
    private List<Header> nextDecision(Ownership.Partition partition) {
        assert Thread.holdsLock(partition);
        List<Header> headers = new ArrayList<>(7);
        headers.add(ClusterHeaders.header(log.stampsEpoch() ? ClusterHeaders.EPOCH : ClusterHeaders.GENERATION,
                Long.toString(partition.epoch)));
        headers.add(ClusterHeaders.header(ClusterHeaders.SEQUENCE, Long.toString(++partition.decisions)));
        headers.add(ClusterHeaders.header(ClusterHeaders.OWNER, me));
        return headers;
    }

    private Object execute(ClusterRequest r) {
        return guard.decide(() -> executeHere(r)); // the ledger refuses decisions called on it directly
    }

    private Object executeHere(ClusterRequest r) {
        return switch (r.op()) {
            case HOLD -> ledger.tryReserve(r.reservationId(), r.lines(), Duration.ofMillis(r.ttlMillis()));
            case CONFIRM -> r.lines() == null ? ledger.confirm(r.reservationId(), r.orderId())
                    : ledger.confirm(r.reservationId(), r.orderId(), r.lines());
            case RELEASE -> r.lines() == null ? ledger.release(r.reservationId())
                    : ledger.release(r.reservationId(), r.lines());
            case EXTEND -> ledger.extend(r.reservationId(), Duration.ofMillis(r.ttlMillis()));
        };
    }

    private static byte[] key(String productId) {
        return productId.getBytes(StandardCharsets.UTF_8);
    }
}
