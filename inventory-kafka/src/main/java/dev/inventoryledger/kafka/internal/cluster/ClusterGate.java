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
    private final int partitions;

    /**
     * @param me         this run of this instance, as its records' {@link ClusterHeaders#OWNER} names it
     * @param selfFenced told when one of this run's own decisions is skipped: its replica counted what the
     *                   history does not have
     */
    public ClusterGate(String me, int partitions, Ownership ownership, AnswerBook answers, LapseWatch lapses,
                       Runnable flush, Consumer<String> selfFenced) {
        this.partitions = partitions;
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

    /** The partitions this instance owns and may decide for now: their snapshots are its to write. */
    @Override
    public java.util.List<Integer> snapshotPartitions(int partitions) {
        return ownership.partitions().stream().filter(p -> {
            Ownership.Partition owned = ownership.get(p);
            return owned != null && owned.ready();
        }).sorted().toList();
    }

    /**
     * Holds the partitions' decisions still, has every decision taken written (flushed, acknowledged) and read
     * back by this replica, then captures those still owned whose claim no later one has overtaken in the log:
     * the state captured is then exactly the fold of the log before its offsets, and a snapshot is never
     * written by an owner that was fenced (its own epoch travels in the manifest; readers check it again).
     */
    @Override
    public boolean aroundSnapshot(java.util.Set<Integer> partitions,
                                  dev.inventoryledger.kafka.internal.feed.SnapshotTaker taker) {
        boolean[] whole = {true};
        ownership.holdStill(partitions, () -> {
            flush.run();
            if (!taker.catchUp(partitions)) {
                whole[0] = false; // the log did not come back in time: no snapshot this round
                return;
            }
            java.util.Map<Integer, Long> epochs = new java.util.HashMap<>();
            for (int p : partitions) {
                Ownership.Partition owned = ownership.get(p);
                if (owned == null || !owned.ready()) {
                    continue; // given up meanwhile: its new owner writes it
                }
                if (owned.epoch >= highestClaim(p)) {
                    epochs.put(p, owned.epoch);
                } else {
                    whole[0] = false; // a later owner's claim: this instance was fenced
                }
            }
            if (!epochs.isEmpty()) {
                taker.capture(epochs);
            }
        });
        return whole[0];
    }

    /**
     * Holds loaded with the state, still open in the history (active, or lapsed with no {@code released} read
     * yet), are watched, so that their owner still writes their lapse.
     */
    @Override
    public void restored(dev.inventoryledger.core.internal.CheckpointFile.Contents state) {
        for (var r : state.reservations()) {
            for (var l : r.lines()) {
                boolean open = l.state() == dev.inventoryledger.core.internal.HoldLine.ACTIVE
                        || l.state() == dev.inventoryledger.core.internal.HoldLine.EXPIRED;
                if (open && l.expiresAtNanos() != dev.inventoryledger.core.internal.HoldLine.NEVER) {
                    lapses.restored(dev.inventoryledger.kafka.internal.Partitioning.partitionOf(l.productId(),
                            partitions), r.id(), l.productId(), l.warehouseId(), l.quantity(), l.released(),
                            dev.inventoryledger.core.internal.Times.instantOfNanos(l.expiresAtNanos()));
                }
            }
        }
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
