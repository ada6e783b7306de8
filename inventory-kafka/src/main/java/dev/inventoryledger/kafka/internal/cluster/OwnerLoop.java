package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * An owner's side of a cluster, on its own thread: a member of the owners' group over the requests topic. On
 * assignment of a partition it takes it at the group's generation (the epoch) and has the {@link DecisionLog}
 * take it (a claim on every topic it decides into, or transactions begun); it decides the partition's requests
 * once the partition is ready ({@link Ownership.Partition#ready()}), keeping those that come sooner; on
 * revocation it gives the partition up and has the log write what it decided, so that its successor's claim or
 * transactions come after. Answers on the requests topic (with transactions) are skipped. Offsets are never committed: a
 * new owner begins at the end of the requests, and requesters resend what is unanswered.
 */
public final class OwnerLoop implements Runnable, ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerLoop.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** How often the owner looks for lapsed holds, and how long past its expiry a hold is told lapsed. */
    private static final long LAPSE_CHECK_NANOS = 250_000_000L;
    private static final Duration LAPSE_GRACE = Duration.ofSeconds(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DecisionLog log;
    private final String requestsTopic;
    private final Ownership ownership;
    private final Decider decider;
    private final Consumer<Throwable> failed;
    private final Duration closeTimeout;
    private final LapseWatch lapses;
    private final java.time.Clock clock;
    private long nextLapseCheck = System.nanoTime();
    private final CountDownLatch joined = new CountDownLatch(1);
    private final List<ConsumerRecord<byte[], byte[]>> waitingForClaim = new ArrayList<>();
    private volatile boolean running = true;

    public OwnerLoop(KafkaConsumer<byte[], byte[]> consumer, DecisionLog log,
                     String requestsTopic, Ownership ownership, Decider decider,
                     LapseWatch lapses, java.time.Clock clock, Consumer<Throwable> failed, Duration closeTimeout) {
        this.lapses = lapses;
        this.clock = clock;
        this.consumer = consumer;
        this.log = log;
        this.requestsTopic = requestsTopic;
        this.ownership = ownership;
        this.decider = decider;
        this.failed = failed;
        this.closeTimeout = closeTimeout;
    }

    /** Counted down once the group has first assigned this member its partitions (perhaps none). */
    public CountDownLatch joined() {
        return joined;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(requestsTopic), this);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    take(r);
                }
                takeWaiting();
                if (System.nanoTime() - nextLapseCheck >= 0) {
                    nextLapseCheck = System.nanoTime() + LAPSE_CHECK_NANOS;
                    publishLapsed();
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (Throwable t) {
            failed.accept(t);
        } finally {
            try {
                consumer.close(closeTimeout); // leaves the group: the partitions go to the others at once
            } catch (RuntimeException e) {
                LOG.warn("closing the owners' group member: {}", e.toString());
            }
            List<Integer> left = ownership.partitions();
            ownership.revokeAll();
            log.givenUp(left);
        }
    }

    /** Asks the loop to stop; it leaves the group on its way out. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        Ownership.Partition p = ownership.get(r.partition());
        if (p == null || r.headers().lastHeader(ClusterHeaders.ANSWER) != null) {
            return; // no longer ours (the requester resends to the new owner), or an answer
        }
        if (!p.ready()) {
            waitingForClaim.add(r);
            return;
        }
        ClusterRequest request;
        try {
            request = ClusterRequest.decode(r.value());
        } catch (IllegalArgumentException notARequest) {
            LOG.warn("skipping record {}-{}@{} of the requests topic: {}", r.topic(), r.partition(), r.offset(),
                    notARequest.getMessage());
            return;
        }
        try {
            p.whileOwned(() -> decider.decide(request, p, true));
        } catch (RuntimeException refused) {
            LOG.warn("request {} could not be decided: {}", request.requestId(), refused.toString());
        }
    }

    private void takeWaiting() {
        if (waitingForClaim.isEmpty()) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> ready = new ArrayList<>();
        for (Iterator<ConsumerRecord<byte[], byte[]>> it = waitingForClaim.iterator(); it.hasNext(); ) {
            ConsumerRecord<byte[], byte[]> r = it.next();
            Ownership.Partition p = ownership.get(r.partition());
            if (p == null || p.ready()) {
                it.remove();
                ready.add(r);
            }
        }
        ready.forEach(this::take);
    }

    /**
     * Publishes the release of every hold lapsed more than a grace ago in a partition it owns: the grace lets a
     * renewal decided just before the expiry be read back first.
     */
    private void publishLapsed() {
        for (int partition : lapses.partitions()) {
            Ownership.Partition p = ownership.get(partition);
            if (p == null || !p.ready()) {
                lapses.prune(partition);
                continue;
            }
            java.time.Instant now = clock.instant();
            p.whileOwned(() -> {
                List<dev.inventoryledger.core.InventoryEvent> released = lapses.lapsed(partition,
                        now.minus(LAPSE_GRACE), now);
                if (!released.isEmpty()) {
                    decider.publishLapsed(released, p);
                }
                return null;
            });
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        long epoch = consumer.groupMetadata().generationId();
        List<Integer> taken = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ownership.claim(tp.partition(), epoch);
            taken.add(tp.partition());
        }
        log.taken(taken, epoch);
        if (!partitions.isEmpty()) {
            LOG.info("owns {} at epoch {}", partitions, epoch);
        }
        joined.countDown();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<Integer> given = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ownership.revoke(tp.partition());
            given.add(tp.partition());
        }
        log.givenUp(given); // every decision taken is written before the successor's claim or transactions
        waitingForClaim.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        if (!partitions.isEmpty()) {
            LOG.info("gave up {}", partitions);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        List<Integer> lost = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ownership.revoke(tp.partition());
            lost.add(tp.partition());
        }
        log.givenUp(lost); // with transactions: a commit a successor has fenced fails this instance
        waitingForClaim.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        LOG.warn("lost {} (this member was out of the group)", partitions);
    }
}
