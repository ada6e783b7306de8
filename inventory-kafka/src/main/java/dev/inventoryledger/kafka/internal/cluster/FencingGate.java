package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.feed.RecordGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fencing rule of a cluster's history, applied in log order by every feed (a cluster's replica, and a
 * plain feed reading topics a cluster writes): per partition, the highest owner's claim read so far; a
 * decision whose epoch is below it was written by an owner that had lost the partition, after its successor
 * claimed it, and is skipped (the successor cannot have counted it). Claims and answers that changed nothing
 * (records with no value) are read, never applied. Records without the cluster's headers are plain events
 * and always count.
 *
 * <p>Feed thread only, except {@link #fenced()}.
 */
public class FencingGate implements RecordGate {
    private final Map<TopicPartition, Long> claims = new HashMap<>();
    private final AtomicLong fenced = new AtomicLong();

    @Override
    public final boolean admit(ConsumerRecord<byte[], byte[]> r) {
        if (r.headers().lastHeader(ClusterHeaders.CLAIM) != null) {
            long epoch = ClusterHeaders.number(ClusterHeaders.text(r, ClusterHeaders.CLAIM));
            claims.merge(new TopicPartition(r.topic(), r.partition()), epoch, Math::max);
            claimRead(r, epoch);
            return false;
        }
        String epochText = ClusterHeaders.text(r, ClusterHeaders.EPOCH);
        if (epochText == null) {
            return true; // a plain event: always counts
        }
        long epoch = ClusterHeaders.number(epochText);
        Long claimed = claims.get(new TopicPartition(r.topic(), r.partition()));
        if (claimed != null && epoch < claimed) {
            fenced.incrementAndGet();
            skipped(r, epoch, claimed);
            return false;
        }
        if (r.value() == null) {
            answerRead(r); // an answer that changed nothing
            return false;
        }
        return true;
    }

    @Override
    public void applied(ConsumerRecord<byte[], byte[]> r, InventoryEvent event, ApplyOutcome outcome) {
    }

    /** The last claim read on each partition: a restart from a checkpoint must still fence what came before. */
    @Override
    public Map<String, Long> checkpointState() {
        Map<String, Long> state = new HashMap<>();
        claims.forEach((tp, epoch) -> state.put(STATE_KEY + "claim|" + tp.partition() + "|" + tp.topic(), epoch));
        return state;
    }

    @Override
    public Map<String, Long> checkpointState(int partition) {
        Map<String, Long> state = new HashMap<>();
        claims.forEach((tp, epoch) -> {
            if (tp.partition() == partition) {
                state.put(STATE_KEY + "claim|" + tp.partition() + "|" + tp.topic(), epoch);
            }
        });
        return state;
    }

    /** The highest claim read on the partition over every topic, or −1. Feed thread. */
    protected final long highestClaim(int partition) {
        long highest = -1;
        for (Map.Entry<TopicPartition, Long> e : claims.entrySet()) {
            if (e.getKey().partition() == partition) {
                highest = Math.max(highest, e.getValue());
            }
        }
        return highest;
    }

    @Override
    public void restoreState(Map<String, Long> stored) {
        String prefix = STATE_KEY + "claim|";
        stored.forEach((key, epoch) -> {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int bar = rest.indexOf('|');
                claims.merge(new TopicPartition(rest.substring(bar + 1), Integer.parseInt(rest.substring(0, bar))),
                        epoch, Math::max);
            }
        });
    }

    /** Decisions skipped because a later owner had claimed their partition. */
    public final long fenced() {
        return fenced.get();
    }

    /** An owner's claim was read. */
    protected void claimRead(ConsumerRecord<byte[], byte[]> claim, long epoch) {
    }

    /** A fenced decision was skipped. */
    protected void skipped(ConsumerRecord<byte[], byte[]> decision, long epoch, long claimed) {
    }

    /** An answer that changed nothing was read. */
    protected void answerRead(ConsumerRecord<byte[], byte[]> answer) {
    }
}
