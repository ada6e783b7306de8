package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.Consumer;

/**
 * A cluster instance's gate: the {@link FencingGate fencing rule}, and what this instance learns from the
 * records it reads: its own claims read back ({@link Ownership}), answers to its requests ({@link AnswerBook}),
 * the holds still open ({@link LapseWatch}), and any of its own decisions skipped as fenced.
 *
 * <p>Feed thread only.
 */
public final class ClusterGate extends FencingGate {
    private final String me;
    private final Ownership ownership;
    private final AnswerBook answers;
    private final LapseWatch lapses;
    private final Consumer<String> selfFenced;
    private final Runnable flush;

    /**
     * @param me         this run of this instance, as its records' {@link ClusterHeaders#OWNER} names it
     * @param selfFenced told when one of this run's own decisions is skipped: its replica counted what the
     *                   history does not have
     */
    public ClusterGate(String me, Ownership ownership, AnswerBook answers, LapseWatch lapses, Runnable flush,
                       Consumer<String> selfFenced) {
        this.flush = flush;
        this.me = me;
        this.ownership = ownership;
        this.answers = answers;
        this.lapses = lapses;
        this.selfFenced = selfFenced;
    }

    /**
     * Decisions are applied to this replica when taken, before the log has them: a checkpoint is captured only
     * while none is under way, after every one taken has been written (flushed and acknowledged), so that a
     * restart from it never counts a decision the log lost with the process.
     */
    @Override
    public void aroundCheckpoint(Runnable capture) {
        ownership.holdStill(() -> {
            flush.run();
            capture.run();
        });
    }

    @Override
    protected void claimRead(ConsumerRecord<byte[], byte[]> claim, long epoch) {
        if (me.equals(ClusterHeaders.text(claim, ClusterHeaders.OWNER))) {
            ownership.claimRead(claim.partition(), epoch);
        }
    }

    @Override
    protected void skipped(ConsumerRecord<byte[], byte[]> r, long epoch, long claimed) {
        if (me.equals(ClusterHeaders.text(r, ClusterHeaders.OWNER))) {
            selfFenced.accept("a decision of this instance at epoch " + epoch + " came after the claim at epoch "
                    + claimed + " in " + r.topic() + "-" + r.partition() + " at offset " + r.offset());
        }
    }

    @Override
    protected void answerRead(ConsumerRecord<byte[], byte[]> r) {
        answered(r);
    }

    @Override
    public void applied(ConsumerRecord<byte[], byte[]> r, InventoryEvent event, ApplyOutcome outcome) {
        lapses.applied(r.partition(), event);
        if (r.headers().lastHeader(ClusterHeaders.REQUEST) != null) {
            answered(r);
        }
    }

    private void answered(ConsumerRecord<byte[], byte[]> r) {
        answers.admitted(ClusterHeaders.text(r, ClusterHeaders.REQUEST), ClusterHeaders.text(r, ClusterHeaders.ANSWER),
                (int) ClusterHeaders.number(ClusterHeaders.text(r, ClusterHeaders.COUNT)),
                ClusterHeaders.bytes(r, ClusterHeaders.OUTCOME));
    }
}
