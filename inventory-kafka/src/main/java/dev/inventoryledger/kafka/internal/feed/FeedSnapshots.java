package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.LedgerAccess;
import dev.inventoryledger.kafka.StartPoint;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.Partitioning;
import dev.inventoryledger.kafka.internal.TopicCheck;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotLayout;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotMetrics;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotReader;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotWriter;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The feed's side of the shared snapshots: at start, per partition, the newest whole state — the local
 * checkpoint's or the snapshot topic's, whichever reflects more — is loaded and the partition resumes at its
 * offsets; while running, the partitions this instance writes are captured between records (every interval,
 * and on request) and handed to the {@link SnapshotWriter}.
 *
 * <p>Snapshots need the event topics co-partitioned (one partition count for all): partition p's state is the
 * products whose records go to partition p. Threads: {@link #restore} on the thread that starts the feed; the
 * writing side on the feed's thread, but {@link #requestNow()} on any.
 */
public final class FeedSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(FeedSnapshots.class);
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);
    /** The key, among a snapshot's offsets, of the partition count it was cut by. */
    public static final String PARTITIONS_KEY = "snapshot|partitions";

    /**
     * @param topic      the snapshot topic
     * @param interval   how often to write, {@link Duration#ZERO} for only on request
     * @param chunkBytes the largest chunk value
     */
    public record Settings(String topic, Duration interval, int chunkBytes) {
    }

    /** Where a restored state has each partition resume, and from what. */
    public record Restored(Map<TopicPartition, Long> offsets, Map<TopicPartition, StartPoint.Origin> origins,
                           CheckpointFile.Contents state) {
    }

    private final Settings settings; // null: no snapshots
    private final KafkaClients clients;
    private final InventoryLedger ledger;
    private final RecordGate gate;
    private final SnapshotMetrics metrics;
    private final Clock clock;
    private final long intervalNanos;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> requested = new ConcurrentLinkedQueue<>();
    private Map<Integer, SnapshotLayout.Manifest> newestAtStart = Map.of();
    // the feed thread's:
    private final java.util.ArrayDeque<Integer> pending = new java.util.ArrayDeque<>(); // of the round under way
    private final List<CompletableFuture<Long>> round = new ArrayList<>();
    private final List<CompletableFuture<Void>> answering = new ArrayList<>();
    private SnapshotWriter writer;
    private int partitions; // of the event topics; 0 until known
    /** Why snapshots are not taken (null while they are): written by the feed's thread, read by requesters. */
    private volatile String unusable;
    private boolean startedFromSnapshots;
    private long nextDue;

    public FeedSnapshots(Settings settings, KafkaClients clients, InventoryLedger ledger, RecordGate gate,
                         SnapshotMetrics metrics, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.ledger = ledger;
        this.gate = gate;
        this.metrics = metrics;
        this.clock = clock;
        this.intervalNanos = settings == null ? 0 : settings.interval().toNanos();
    }

    /** True if snapshots are read at start and may be written. */
    public boolean enabled() {
        return settings != null;
    }

    /** True if this feed writes snapshots on an interval (then the snapshot topic must exist). */
    public boolean writesOnInterval() {
        return intervalNanos > 0;
    }

    /** The snapshot topic, or null. */
    public String topic() {
        return settings == null ? null : settings.topic();
    }

    // ------------------------------------------------------------------------------------------ start

    /**
     * Loads, per partition, the newest whole state into the (empty) ledger: the checkpoint's part for the
     * partitions it reflects at least as far as their snapshot, the snapshot for the others; null, loading
     * nothing, when no snapshot is used (the caller restores the checkpoint, if any, as a whole).
     *
     * @param local    the checkpoint read from disk, or null
     * @param topics   the event topics the feed reads
     * @throws IllegalStateException if the snapshot topic cannot be read, or the ledger already holds state
     */
    public Restored restore(CheckpointFile.Contents local, Set<String> topics) {
        if (settings == null) {
            return null;
        }
        Map<String, Integer> counts;
        List<String> asked = new ArrayList<>(topics);
        asked.add(settings.topic());
        try (var admin = clients.admin()) {
            counts = TopicCheck.partitionCounts(admin, asked, Duration.ofSeconds(30), clients.bootstrapServers());
        }
        if (!counts.containsKey(settings.topic())) {
            LOG.info("no snapshot topic {}: the replica starts from {}", settings.topic(),
                    local == null ? "the topics" : "its checkpoint");
            return null;
        }
        Set<Integer> distinct = new HashSet<>();
        topics.forEach(t -> distinct.add(counts.getOrDefault(t, 0)));
        if (distinct.size() != 1) {
            LOG.warn("the event topics' partition counts differ ({}): snapshots need them co-partitioned, none is used",
                    counts);
            return null;
        }
        partitions = distinct.iterator().next();
        SnapshotReader.Read read;
        try (KafkaConsumer<byte[], byte[]> c = clients.snapshotConsumer()) {
            read = new SnapshotReader(settings.topic()).read(c, READ_TIMEOUT);
        }
        newestAtStart = read.newest();
        List<CheckpointFile.Contents> parts = new ArrayList<>();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, StartPoint.Origin> origins = new HashMap<>();
        Set<Integer> fromCheckpoint = new HashSet<>();
        boolean anySnapshot = false;
        for (Map.Entry<Integer, SnapshotReader.Found> f : read.whole().entrySet()) {
            Long count = f.getValue().contents().offsets().get(PARTITIONS_KEY);
            if (f.getKey() >= partitions || (count != null && count != partitions)) {
                throw HistoryGaps.partitionsChanged(topics.iterator().next(), count == null ? f.getKey() + 1
                        : count.intValue(), partitions, "the snapshots in " + settings.topic());
            }
        }
        for (int p = 0; p < partitions; p++) {
            SnapshotReader.Found found = read.whole().get(p);
            Map<TopicPartition, Long> snapshotOffsets = found == null ? null : offsetsOf(found.contents(), p, topics);
            Map<TopicPartition, Long> localOffsets = local == null ? null : offsetsOf(local, p, topics);
            if (snapshotOffsets != null && (localOffsets == null || sum(snapshotOffsets) > sum(localOffsets))) {
                parts.add(found.contents());
                put(offsets, origins, snapshotOffsets, StartPoint.Origin.SNAPSHOT);
                metrics.startedFrom(p, found.manifest().writtenAtMillis());
                anySnapshot = true;
            } else if (localOffsets != null) {
                fromCheckpoint.add(p);
                put(offsets, origins, localOffsets, StartPoint.Origin.CHECKPOINT);
            }
        }
        if (!anySnapshot) {
            return null; // the checkpoint alone, as a whole, or nothing
        }
        if (local != null) {
            int n = partitions;
            Map<String, Long> kept = new HashMap<>();
            local.offsets().forEach((k, v) -> {
                if (partitionOfKey(k) >= 0 && fromCheckpoint.contains(partitionOfKey(k))) {
                    kept.put(k, v);
                }
            });
            parts.add(CheckpointFile.only(local, id -> fromCheckpoint.contains(Partitioning.partitionOf(id, n)), kept));
        }
        LedgerAccess.images(ledger).install(parts);
        startedFromSnapshots = true;
        CheckpointFile.Contents merged = CheckpointFile.merge(parts);
        gate.restoreState(merged.offsets());
        LOG.info("restored {} partitions from snapshots and {} from the checkpoint ({} products; {} snapshot records "
                + "read, {} bytes)", partitions - fromCheckpoint.size(), fromCheckpoint.size(), merged.products().size(),
                read.records(), read.bytes());
        return new Restored(offsets, origins, merged);
    }

    /**
     * Partition p's offsets on every event topic as the state stores them ({@code topic:p}), or null unless
     * the state covers every topic (a snapshot of other topics sharing the snapshot topic is not this feed's).
     */
    private static Map<TopicPartition, Long> offsetsOf(CheckpointFile.Contents c, int p, Set<String> topics) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (String topic : topics) {
            Long offset = c.offsets().get(topic + ":" + p);
            if (offset == null) {
                return null;
            }
            out.put(new TopicPartition(topic, p), offset);
        }
        return out;
    }

    /** The partition a state key names ({@code topic:p}, or the gate's {@code gate|claim|p|topic}), or −1. */
    private static int partitionOfKey(String key) {
        try {
            if (key.startsWith(RecordGate.STATE_KEY)) {
                String[] parts = key.split("\\|");
                return parts.length >= 4 ? Integer.parseInt(parts[2]) : -1;
            }
            return Integer.parseInt(key.substring(key.lastIndexOf(':') + 1));
        } catch (RuntimeException notAPartition) {
            return -1;
        }
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static void put(Map<TopicPartition, Long> offsets, Map<TopicPartition, StartPoint.Origin> origins,
                            Map<TopicPartition, Long> these, StartPoint.Origin origin) {
        offsets.putAll(these);
        these.keySet().forEach(tp -> origins.put(tp, origin));
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * The feed has started: its topics have these partition counts. Starts the schedule.
     *
     * @throws IllegalStateException if the feed writes snapshots on an interval and its topics are not
     *                               co-partitioned
     */
    public void started(Map<String, Integer> counts, long nowNanos) {
        if (settings == null) {
            return;
        }
        Set<Integer> distinct = new HashSet<>(counts.values());
        if (distinct.size() != 1) {
            String why = "snapshots need the event topics co-partitioned (one partition count for all) but they have "
                    + counts;
            if (writesOnInterval()) {
                throw new IllegalStateException(why);
            }
            unusable = why;
            stopped(new IllegalStateException(why));
            return;
        }
        partitions = distinct.iterator().next();
        nextDue = nowNanos + intervalNanos;
    }

    /** Asks for a snapshot of every partition this instance writes; completes once all are whole in the topic. */
    public CompletableFuture<Void> requestNow() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (settings == null) {
            f.completeExceptionally(new IllegalStateException("this feed has no snapshot topic"));
            return f;
        }
        if (unusable != null) {
            f.completeExceptionally(new IllegalStateException(unusable));
            return f;
        }
        requested.add(f);
        return f;
    }

    /** Fails every request still waiting: the feed stopped. */
    public void stopped(Throwable why) {
        for (CompletableFuture<Void> f; (f = requested.poll()) != null; ) {
            f.completeExceptionally(why);
        }
    }

    /** True while a round has partitions left to capture and the writer is ready for the next. Feed thread. */
    public boolean roundUnderWay() {
        return !pending.isEmpty() && (round.isEmpty() || round.get(round.size() - 1).isDone());
    }

    /** True if a snapshot round is due, asked for, or under way. Feed thread. */
    public boolean due(long nowNanos) {
        return settings != null && partitions > 0 && unusable == null && (!pending.isEmpty() || !requested.isEmpty()
                || (intervalNanos > 0 && nowNanos - nextDue >= 0));
    }

    /**
     * Takes the next snapshot of the round under way, or begins a round (the partitions this instance writes
     * now; every request waiting then completes when all of them are written): one partition per call, and only
     * once the writer has finished the one before, so that the feed's thread, which takes records between calls,
     * pauses for one partition's capture at a time and never competes with the writer for the cores.
     * Feed thread, between records.
     */
    public void write(long nowNanos, Capture capture, SnapshotTaker.CatchUp catchUp) {
        if (pending.isEmpty()) {
            for (CompletableFuture<Void> f; (f = requested.poll()) != null; ) {
                answering.add(f);
            }
            nextDue = nowNanos + intervalNanos;
            pending.addAll(gate.snapshotPartitions(partitions));
        }
        if (!round.isEmpty() && !round.get(round.size() - 1).isDone()) {
            return; // the writer is still on the last one: capture the next when it is done, not beside it
        }
        Integer next = pending.poll();
        if (next != null) {
            try {
                boolean whole = gate.aroundSnapshot(java.util.Set.of(next), new SnapshotTaker() {
                    @Override
                    public boolean catchUp(Set<Integer> these) {
                        return catchUp.to(these);
                    }

                    @Override
                    public void capture(Map<Integer, Long> epochs) {
                        long began = System.nanoTime();
                        Map<Integer, CheckpointFile.Contents> states = capture.parts(epochs.keySet(), partitions);
                        metrics.paused(Duration.ofNanos(System.nanoTime() - began));
                        states.forEach((p, state) -> round.add(writer().write(p, epochs.get(p), state, began)));
                    }
                });
                if (!whole) {
                    round.add(CompletableFuture.failedFuture(new IllegalStateException("partition " + next
                            + " was not captured: its decisions were not read back in time, or a later owner has "
                            + "claimed it")));
                }
            } catch (RuntimeException e) { // the brokers, the writer: this round fails, the feed goes on
                metrics.failed();
                LOG.warn("snapshot of partition {} not taken (the previous one stays): {}", next, e.toString());
                round.add(CompletableFuture.failedFuture(e));
            }
        }
        if (pending.isEmpty()) {
            CompletableFuture<Void> all = CompletableFuture.allOf(round.toArray(CompletableFuture[]::new));
            List<CompletableFuture<Void>> told = List.copyOf(answering);
            answering.clear();
            round.clear();
            told.forEach(f -> all.whenComplete((done, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(null);
                }
            }));
        }
    }

    /**
     * A record on a partition its product's key does not map to: snapshots, which take partition p's state to
     * be the products whose records go to partition p, would be wrong. Writing stops (and waiting requests fail);
     * a feed that started from snapshots stops, since its state may already be wrong. Feed thread.
     *
     * @throws IllegalStateException if this feed's state came from snapshots
     */
    public void misplaced(String productId, org.apache.kafka.common.TopicPartition tp, int expected) {
        String why = "a record of product " + productId + " is on " + tp + " but records keyed by it go to partition "
                + expected + " (Kafka's default partitioner over its UTF-8 id): snapshots need every topic keyed by "
                + "product_id so, and are off for this feed";
        if (unusable == null) {
            unusable = why;
            LOG.warn(why);
            stopped(new IllegalStateException(why));
        }
        if (startedFromSnapshots) {
            throw new IllegalStateException(why + "; this replica started from snapshots and stops");
        }
    }

    /** The partition count snapshots are cut by, or 0 when they are not taken (not co-partitioned, misplaced). */
    public int partitions() {
        return unusable == null ? partitions : 0;
    }

    private SnapshotWriter writer() {
        if (writer == null) {
            int topicPartitions;
            try (var admin = clients.admin()) {
                topicPartitions = TopicCheck.requireAll(admin, List.of(settings.topic()), Duration.ofSeconds(30),
                        clients.bootstrapServers(), "the snapshot writer").get(settings.topic());
            }
            writer = new SnapshotWriter(clients.snapshotProducer(), settings.topic(), clients.instanceId(),
                    settings.chunkBytes(), topicPartitions, metrics, clock);
            writer.seed(newestAtStart);
        }
        return writer;
    }

    /** Closes the writer (the snapshot under way finishes first, within the timeout). Feed thread. */
    public void close(Duration timeout) {
        if (writer != null) {
            writer.close(timeout);
        }
        metrics.close();
        IllegalStateException stopped = new IllegalStateException("the feed stopped");
        answering.forEach(f -> f.completeExceptionally(stopped));
        stopped(stopped);
    }

    /** Captures partitions of the ledger: the feed's, which knows the offsets. */
    @FunctionalInterface
    public interface Capture {
        Map<Integer, CheckpointFile.Contents> parts(Set<Integer> partitions, int partitionCount);
    }
}
