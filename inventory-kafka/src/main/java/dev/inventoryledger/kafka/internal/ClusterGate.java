package dev.inventoryledger.kafka.internal;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fencing rule, applied by every replica in log order: per partition, the highest claim read so far; a
 * decision whose epoch is below it was written by an owner that had lost the partition, after its successor
 * claimed it, and is skipped (the successor cannot have counted it). Claims and answers that changed nothing
 * are read, never applied. Also tells this instance's {@link Ownership} when its own claims are read back and
 * its {@link AnswerBook} when an answer's records are in.
 *
 * <p>Feed thread only, except {@link #fenced()}.
 */
public final class ClusterGate implements RecordGate {
    private final String me;
    private final Ownership ownership;
    private final AnswerBook answers;
    private final Consumer<String> selfFenced;
    private final LapseWatch lapses;
    private final Map<TopicPartition, Long> claims = new HashMap<>();
    private final AtomicLong fenced = new AtomicLong();

    /**
     * @param me         this run of this instance, as its records' {@link ClusterHeaders#OWNER} names it
     * @param selfFenced told when one of this run's own decisions is skipped: its replica counted what the
     *                   history does not have
     */
    public ClusterGate(String me, Ownership ownership, AnswerBook answers, LapseWatch lapses,
                       Consumer<String> selfFenced) {
        this.me = me;
        this.lapses = lapses;
        this.ownership = ownership;
        this.answers = answers;
        this.selfFenced = selfFenced;
    }

    @Override
    public boolean admit(ConsumerRecord<byte[], byte[]> r) {
        if (r.headers().lastHeader(ClusterHeaders.CLAIM) != null) {
            long epoch = ClusterHeaders.epoch(ClusterHeaders.text(r, ClusterHeaders.CLAIM));
            claims.merge(new TopicPartition(r.topic(), r.partition()), epoch, Math::max);
            if (me.equals(ClusterHeaders.text(r, ClusterHeaders.OWNER))) {
                ownership.claimRead(r.partition(), epoch);
            }
            return false;
        }
        String epochText = ClusterHeaders.text(r, ClusterHeaders.EPOCH);
        if (epochText == null) {
            return true; // a plain event: always counts
        }
        long epoch = ClusterHeaders.epoch(epochText);
        Long claimed = claims.get(new TopicPartition(r.topic(), r.partition()));
        if (claimed != null && epoch < claimed) {
            fenced.incrementAndGet();
            if (me.equals(ClusterHeaders.text(r, ClusterHeaders.OWNER))) {
                selfFenced.accept("a decision of this instance at epoch " + epoch + " came after the claim at epoch "
                        + claimed + " in " + r.topic() + "-" + r.partition() + " at offset " + r.offset());
            }
            return false;
        }
        if (r.value() == null) {
            answered(r); // an answer that changed nothing
            return false;
        }
        return true;
    }

    @Override
    public void applied(ConsumerRecord<byte[], byte[]> r, InventoryEvent event, ApplyOutcome outcome) {
        if (LapseWatch.isReservationOrOrder(event.kind())) {
            lapses.applied(r.partition(), event);
        }
        if (r.headers().lastHeader(ClusterHeaders.REQUEST) != null) {
            answered(r);
        }
    }

    /** Decisions skipped because a later owner had claimed their partition. */
    public long fenced() {
        return fenced.get();
    }

    private void answered(ConsumerRecord<byte[], byte[]> r) {
        answers.admitted(ClusterHeaders.text(r, ClusterHeaders.REQUEST), ClusterHeaders.text(r, ClusterHeaders.ANSWER),
                (int) ClusterHeaders.epoch(ClusterHeaders.text(r, ClusterHeaders.COUNT)),
                ClusterHeaders.bytes(r, ClusterHeaders.OUTCOME));
    }
}
