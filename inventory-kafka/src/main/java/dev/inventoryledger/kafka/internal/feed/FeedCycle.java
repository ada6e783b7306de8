package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.LedgerAccess;
import dev.inventoryledger.kafka.StartPoint;
import dev.inventoryledger.kafka.internal.Partitioning;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotMetrics;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.TopicCheck;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * The feed's work cycle, as an agent in the manner of Agrona's {@code Agent}: {@link #onStart()} makes the
 * clients and positions every partition, each {@link #doWork()} is one poll, the records it returned taken
 * (applied, or dead-lettered), then the periodic duties (metrics; a checkpoint when due; a look for a changed
 * partition count when due), and {@link #onClose()} closes the clients and writes the last checkpoint. A
 * {@link FeedRunner} runs it on a thread; a test drives it step by step on its own thread, with its own
 * nanosecond source.
 *
 * <p>It owns when things happen (the schedule, read from the injected nanosecond source only), the take of one
 * record, whether the replica has caught up with the end offsets found at start ({@link #caughtUp()}), and when
 * the brokers last answered: a probe of the end offsets every few seconds, which fails the cycle once no broker
 * has answered for the feed's bound; what is done is the services': {@link FeedPositions}, {@link PartitionDiscovery},
 * {@link DeadLetterWriter}, {@link FeedCheckpoints}, {@link FeedMetrics}. Calls go from here to them, never
 * back.
 *
 * <p>Threads: {@link #prepare()} runs on the thread that starts the feed, before {@link #onStart()};
 * {@link #onStart()}, {@link #doWork()} and {@link #onClose()} on one thread, the feed's;
 * {@link #stop()} and the readings ({@link #appliedOffsets()}, {@link #lag()}, {@link #recordsPerSecond()},
 * {@link #isRunning()}) on any.
 */
public final class FeedCycle {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration START_METADATA = Duration.ofSeconds(30), CHECK_METADATA = Duration.ofSeconds(1);
    /** The longest a probe of the brokers waits, and the longest between two probes. */
    private static final long PROBE_NANOS = 5_000_000_000L;
    /** The longest a snapshot waits for its partitions' decisions to be read back. */
    private static final long CATCH_UP_NANOS = 10_000_000_000L;

    private final InventoryLedger ledger;
    private final Map<String, EventKind> kindByTopic;
    private final KafkaClients clients;
    private final EventCodec codec;
    private final PartitionDiscovery discovery;
    private final FeedPositions positions;
    private final DeadLetterWriter deadLetters;
    private final FeedMetrics metrics;
    private final FeedCheckpoints checkpoints;
    private final FeedSnapshots snapshots;
    private final boolean fromBeginning;
    private final dev.inventoryledger.core.internal.IdentityRegister identities;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private final RecordGate gate;
    private final long checkpointNanos, partitionCheckNanos, brokerTimeoutNanos, probeNanos;

    /**
     * False once {@link #stop()} (any thread) or {@link #onClose()} ran; read by the feed's thread, also through
     * the {@code () -> running} it hands {@link PartitionDiscovery} to give up a wait (a read, not a call back).
     */
    private volatile boolean running = true;
    /** Set and cleared by the feed's thread; read by {@link #stop()} to wake a blocked poll. */
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    // The feed's thread's alone:
    private boolean started; // onStart() completed: every partition positioned
    private boolean inTake; // a record is being applied or dead-lettered
    private Map<String, Integer> partitionCounts = Map.of(); // per topic, at start
    /** Per partition, the newest event time taken (seconds); and the last one decoded. Feed thread. */
    private final Map<TopicPartition, Long> lastEventSeconds = new java.util.HashMap<>();
    private long lastEventSecond = Long.MIN_VALUE;
    /** Partitions paused for running ahead of the slowest ({@link #align}); none while {@link #aligned} is set. */
    private final java.util.Set<TopicPartition> paused = new java.util.HashSet<>();
    private boolean aligned; // true while a snapshot catches up: every partition reads
    private long nextCheckpoint, nextPartitionCheck, nextProbe; // on the injected nanosecond source
    private long lastContact; // when a broker last answered (a probe, or records polled)
    /** Partitions not yet read to the end offsets found at start, with those offsets; empty once caught up. */
    private final Map<TopicPartition, Long> catchUpTo = new ConcurrentHashMap<>();
    /** True once {@link #catchUpTo} emptied: written by the feed's thread, read by the runner's caller. */
    private volatile boolean caughtUp;

    /** @param nanoTime the source of every interval the cycle keeps ({@code System::nanoTime} in production) */
    public FeedCycle(FeedConfig config, LongSupplier nanoTime) {
        this.ledger = config.ledger();
        this.kindByTopic = config.kindByTopic();
        this.clients = config.clients();
        this.codec = new EventCodec(config.maxRecordBytes());
        this.discovery = new PartitionDiscovery(kindByTopic.keySet());
        this.positions = new FeedPositions(config.fromBeginning(), config.fromLogStart(), config.startOffsets());
        this.deadLetters = new DeadLetterWriter(clients, config.deadLetterTopic(), nanoTime,
                config.brokerTimeout().toNanos());
        this.metrics = new FeedMetrics(config.registry());
        this.checkpoints = new FeedCheckpoints(config.checkpointFile(), ledger, metrics, config.gate());
        this.snapshots = new FeedSnapshots(config.snapshots(), clients, ledger, config.gate(),
                new SnapshotMetrics(config.registry(), config.clock()), config.clock());
        this.fromBeginning = config.fromBeginning();
        this.identities = LedgerAccess.identities(ledger);
        this.nanoTime = nanoTime;
        this.clock = config.clock();
        this.gate = config.gate();
        this.checkpointNanos = config.checkpointInterval().toNanos();
        this.partitionCheckNanos = config.partitionCheckInterval().toNanos();
        this.brokerTimeoutNanos = config.brokerTimeout().toNanos();
        this.probeNanos = Math.min(PROBE_NANOS, Math.max(1, brokerTimeoutNanos / 3));
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    /**
     * Loads the newest whole state, so that the feed resumes at its offsets: per partition the checkpoint's or
     * the shared snapshot's, whichever reflects more (a feed that starts from the latest offsets with no
     * checkpoint needs neither); and registers the gauges.
     *
     * @throws IllegalStateException if the checkpoint or the snapshots cannot be restored (the message says why)
     */
    public void prepare() {
        CheckpointFile.Contents local = checkpoints.read(kindByTopic.keySet());
        FeedSnapshots.Restored shared = fromBeginning || local != null
                ? snapshots.restore(local, kindByTopic.keySet()) : null;
        if (shared != null) {
            for (StartPoint.Origin origin : StartPoint.Origin.values()) {
                Map<TopicPartition, Long> these = new java.util.HashMap<>(shared.offsets());
                these.keySet().removeIf(tp -> shared.origins().get(tp) != origin);
                positions.startFrom(these, origin);
            }
            gate.restored(shared.state());
        } else if (local != null) {
            positions.startFrom(checkpoints.install(local), StartPoint.Origin.CHECKPOINT);
            gate.restored(local);
        }
        metrics.registerGauges();
    }

    /**
     * Checks that every topic the feed reads or writes exists (naming each that does not, at once), makes the
     * clients, assigns and positions every partition of the topics, notes the end offsets the replica must
     * read up to before it is whole, and starts the schedule at the current nanosecond reading.
     *
     * @throws IllegalStateException if a topic is missing, or no broker answered
     */
    public void onStart() {
        List<String> topics = new ArrayList<>(kindByTopic.keySet());
        topics.add(deadLetters.topic());
        if (snapshots.writesOnInterval()) {
            topics.add(snapshots.topic());
        }
        Duration checkWithin = Duration.ofNanos(Math.min(brokerTimeoutNanos, START_METADATA.toNanos()));
        try (var admin = clients.admin()) {
            TopicCheck.requireAll(admin, topics, checkWithin, clients.bootstrapServers(), "the feed");
        }
        KafkaConsumer<byte[], byte[]> c = clients.feedConsumer();
        consumer = c;
        metrics.bindClient(clients.bindMetrics(c));
        deadLetters.open();
        List<TopicPartition> all = discovery.partitionsOf(c, START_METADATA, () -> running);
        positions.assignAndPosition(c, all, START_METADATA);
        partitionCounts = FeedPositions.countsOf(all);
        snapshots.started(partitionCounts, nanoTime.getAsLong());
        positions.startPoints().forEach((tp, point) -> catchUpTo.put(tp, point.endOffset()));
        started = true;
        long now = nanoTime.getAsLong();
        nextPartitionCheck = now + partitionCheckNanos;
        nextCheckpoint = now + checkpointNanos;
        nextProbe = now + probeNanos;
        lastContact = now;
        metrics.started(now);
        holdForgetting(c); // before the first record: no partition read yet holds every forgetting back
        noteCatchUp(c);
    }

    /**
     * One poll (waiting up to 100 ms for records), every record it returned taken, then the periodic duties.
     *
     * @return how many records were taken
     * @throws ExecutionException if a dead letter could not be written for good: the feed stops at that record
     */
    public int doWork() throws ExecutionException, InterruptedException {
        KafkaConsumer<byte[], byte[]> c = consumer;
        int taken = takeAll(poll(c, snapshots.roundUnderWay() ? Duration.ZERO : POLL)); // a round goes on at once
        passSkipped(c);
        long now = nanoTime.getAsLong();
        if (taken > 0) {
            lastContact = now; // records came: a broker answers
            metrics.appliedAt(clock.instant());
        }
        noteCatchUp(c);
        holdForgetting(c);
        metrics.measure(c, now);
        if (now - nextProbe >= 0) {
            nextProbe = now + probeNanos;
            probe(c, now);
        }
        if (checkpoints.enabled() && now - nextCheckpoint >= 0) {
            checkpoints.write(positions.snapshot()); // between records: the offsets are exactly those applied
            nextCheckpoint = nanoTime.getAsLong() + checkpointNanos;
        }
        if (now - nextPartitionCheck >= 0) {
            nextPartitionCheck = now + partitionCheckNanos;
            checkPartitions(c);
        }
        if (caughtUp && snapshots.due(now)) {
            snapshots.write(now, this::capture, this::catchUp); // between records: the offsets are exactly those applied
        }
        return taken;
    }

    /**
     * Closes the clients, clears lag and rate, removes the gauges, and writes the last checkpoint if the cycle
     * had started and stopped between records (state and offsets agree).
     */
    public void onClose() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        consumer = null;
        try {
            try {
                deadLetters.close();
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        } finally {
            identities.holdForgettingAt(null); // nothing holds it back once this feed stops
            metrics.stop();
            if (started && !inTake) {
                checkpoints.write(positions.snapshot());
            }
            snapshots.close(Duration.ofSeconds(10));
        }
    }

    /**
     * Asks the cycle to stop, from any thread: the record in hand is finished, a blocked poll or dead-letter
     * wait ends, and {@link #isRunning()} turns false.
     */
    public void stop() {
        running = false;
        deadLetters.stop();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** False once the cycle was asked to stop or closed. */
    public boolean isRunning() {
        return running;
    }

    // ------------------------------------------------------------------------------------------ readings

    /**
     * Asks for a snapshot of every partition this feed writes, taken at its next step; completes once each is
     * whole in the snapshot topic, or exceptionally (no snapshot topic, a write failed, the feed stopped).
     */
    public java.util.concurrent.CompletableFuture<Void> snapshotNow() {
        java.util.concurrent.CompletableFuture<Void> f = snapshots.requestNow();
        if (!running) {
            snapshots.stopped(new IllegalStateException("the feed is not running"));
        }
        return f;
    }

    /** Per partition, the next offset to read; a copy. */
    public Map<TopicPartition, Long> appliedOffsets() {
        return positions.snapshot();
    }

    /** Records not yet read, summed over the partitions; −1 until known. */
    public long lag() {
        return metrics.lag();
    }

    /** Records taken per second over the last second or so. */
    public double recordsPerSecond() {
        return metrics.recordsPerSecond();
    }

    /** When the last record was applied (wall clock), or null before the first. */
    public Instant lastAppliedAt() {
        return metrics.lastAppliedAt();
    }

    /** Where each partition began at start, and how far it had to read (empty before). */
    public Map<TopicPartition, StartPoint> startPoints() {
        return positions.startPoints();
    }

    /** True once every partition has been read to the end offsets found at start. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Records still to read before {@link #caughtUp()}, summed; 0 once caught up. */
    public long behindStart() {
        Map<TopicPartition, Long> applied = positions.snapshot();
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> e : Map.copyOf(catchUpTo).entrySet()) {
            behind += Math.max(0, e.getValue() - applied.getOrDefault(e.getKey(), 0L));
        }
        return caughtUp ? 0 : behind;
    }

    /** What the feed reports: its meters, lag, rate, state. */
    public FeedMetrics metrics() {
        return metrics;
    }

    // ------------------------------------------------------------------------------------------ steps

    /**
     * Takes the records partition by partition, in the order they came: the offset map is written once per
     * partition and poll rather than once per record (a map entry and a key object each time).
     */
    private int takeAll(ConsumerRecords<byte[], byte[]> records) throws ExecutionException, InterruptedException {
        int taken = 0;
        for (TopicPartition tp : records.partitions()) {
            EventKind kind = kindByTopic.get(tp.topic());
            long next = -1, newest = Long.MIN_VALUE;
            try {
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    inTake = true;
                    lastEventSecond = Long.MIN_VALUE;
                    boolean done = take(r, kind);
                    inTake = false;
                    if (!done) {
                        break; // stopped while a refused record waited for the dead-letter topic: not taken
                    }
                    next = r.offset() + 1;
                    taken++;
                    newest = Math.max(newest, lastEventSecond);
                    if (!running) {
                        break; // the record in hand is finished; positions say where to resume
                    }
                }
            } finally {
                if (next >= 0) {
                    positions.applied(tp, next); // also when take() threw: what was applied before it counts
                }
                if (newest != Long.MIN_VALUE) {
                    lastEventSeconds.merge(tp, newest, Math::max);
                }
            }
            if (!running) {
                break;
            }
        }
        return taken;
    }

    /**
     * After a poll whose records were all taken: a partition whose position is past the last record taken skipped
     * what a reader never gets (transaction markers, an aborted transaction's records), and is read up to there.
     */
    private void passSkipped(KafkaConsumer<byte[], byte[]> c) {
        if (!running) {
            return; // stopped inside a poll's records: positions say where the take stopped
        }
        Map<TopicPartition, Long> applied = positions.snapshot();
        for (TopicPartition tp : c.assignment()) {
            Long taken = applied.get(tp);
            if (taken == null) {
                continue;
            }
            try {
                long position = c.position(tp, Duration.ZERO);
                if (position > taken) {
                    positions.applied(tp, position);
                }
            } catch (TimeoutException notYetKnown) {
                // a partition just added, its position not resolved yet: nothing skipped
            }
        }
    }

    /** Applies or dead-letters one record; false if the feed stopped before a dead letter was written. */
    private boolean take(ConsumerRecord<byte[], byte[]> r, EventKind kind) throws ExecutionException,
            InterruptedException {
        String reason;
        try {
            if (!gate.admit(r)) {
                return true; // a cluster's control record, or a fenced owner's decision: read, not applied
            }
            InventoryEvent event = codec.decode(kind, r.value());
            lastEventSecond = event.eventTime().getEpochSecond();
            int cut = snapshots.partitions();
            if (cut > 0 && Partitioning.partitionOf(event.productId(), cut) != r.partition()) {
                snapshots.misplaced(event.productId(), new TopicPartition(r.topic(), r.partition()),
                        Partitioning.partitionOf(event.productId(), cut));
            }
            ApplyOutcome outcome = ledger.apply(event);
            if (outcome == ApplyOutcome.LATE) {
                reason = late(event);
            } else {
                metrics.applied(outcome);
                gate.applied(r, event, outcome);
                return true;
            }
        } catch (EventCodec.Refused | InvalidEventException refused) {
            reason = refused.getMessage();
        }
        if (!deadLetters.write(r, reason)) {
            return false;
        }
        metrics.deadLettered();
        return true;
    }

    /**
     * One poll. A position below the log's start (retention passed records not yet read) stops the feed: the
     * replica would miss them.
     */
    private ConsumerRecords<byte[], byte[]> poll(KafkaConsumer<byte[], byte[]> c) {
        return poll(c, POLL);
    }

    private ConsumerRecords<byte[], byte[]> poll(KafkaConsumer<byte[], byte[]> c, Duration wait) {
        try {
            return c.poll(wait);
        } catch (OffsetOutOfRangeException passed) {
            Map<TopicPartition, Long> starts;
            try {
                starts = c.beginningOffsets(passed.offsetOutOfRangePartitions().keySet(), CHECK_METADATA);
            } catch (KafkaException unknown) {
                starts = Map.of();
            }
            throw HistoryGaps.whileRunning(passed.offsetOutOfRangePartitions(), starts);
        }
    }

    /**
     * The state of these partitions now, between records, each with its offsets on every topic and what the
     * gate keeps about it (see {@link FeedSnapshots}).
     */
    private Map<Integer, CheckpointFile.Contents> capture(java.util.Set<Integer> parts, int partitionCount) {
        Map<Integer, Map<String, Long>> offsets = new java.util.HashMap<>();
        Map<TopicPartition, Long> applied = positions.snapshot();
        for (int p : parts) {
            Map<String, Long> these = new java.util.HashMap<>(gate.checkpointState(p));
            these.put(FeedSnapshots.PARTITIONS_KEY, (long) partitionCount);
            for (String topic : kindByTopic.keySet()) {
                these.put(topic + ":" + p, applied.getOrDefault(new TopicPartition(topic, p), 0L));
            }
            offsets.put(p, these);
        }
        return LedgerAccess.images(ledger).capture(id -> Partitioning.partitionOf(id, partitionCount), partitionCount,
                offsets);
    }

    /**
     * Reads on (taking every record as usual) until these partitions of every topic are read up to their end
     * offsets now; false after {@link #CATCH_UP_NANOS}. Feed thread, from a duty of {@link #doWork()}.
     */
    private boolean catchUp(java.util.Set<Integer> parts) {
        KafkaConsumer<byte[], byte[]> c = consumer;
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : kindByTopic.keySet()) {
            parts.forEach(p -> tps.add(new TopicPartition(topic, p)));
        }
        Map<TopicPartition, Long> ends = c.endOffsets(tps, CHECK_METADATA);
        long deadline = nanoTime.getAsLong() + CATCH_UP_NANOS;
        aligned = true; // the partitions caught up must be read, ahead or not
        try {
            return readUpTo(c, ends, deadline);
        } finally {
            aligned = false;
        }
    }

    private boolean readUpTo(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends, long deadline) {
        align(c, Long.MAX_VALUE); // resumes what was paused
        while (running) {
            Map<TopicPartition, Long> applied = positions.snapshot();
            if (ends.entrySet().stream().allMatch(e -> applied.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
                return true;
            }
            if (nanoTime.getAsLong() - deadline > 0) {
                return false;
            }
            try {
                takeAll(poll(c));
                passSkipped(c);
            } catch (ExecutionException | InterruptedException e) {
                throw new IllegalStateException("while catching up for a snapshot: " + e, e);
            }
        }
        return false;
    }

    /** Why a late event was not applied, for its dead letter. */
    private static String late(InventoryEvent e) {
        return "late: event_time " + e.eventTime() + " is older than the ledger's dedup horizon allows for product "
                + e.productId() + " (it has forgotten identities up to then), so this could be a redelivery of a "
                + "forgotten event and was not applied; a ledger built with applyLateEvents(true) applies such events";
    }

    /**
     * Holds the ledger's forgetting of identities back to the oldest event time among the partitions not read to
     * their end (one never read holds it back entirely): reading the topics side by side, one partition runs
     * ahead of another, and a product's clock with it; what it forgets must wait for the slowest.
     */
    private void holdForgetting(KafkaConsumer<byte[], byte[]> c) {
        long oldest = Long.MAX_VALUE;
        for (TopicPartition tp : c.assignment()) {
            if (!behind(c, tp)) {
                continue; // read to its end: nothing older waits there
            }
            Long last = lastEventSeconds.get(tp);
            oldest = Math.min(oldest, last == null ? 0 : last);
        }
        identities.holdForgettingAt(oldest == Long.MAX_VALUE ? null : Instant.ofEpochSecond(oldest));
        align(c, oldest);
    }

    /**
     * Pauses the partitions that have run more than a quarter of the dedup horizon ahead of the slowest one still
     * behind, and resumes them once it has caught up with them (as stream processors align watermarks): while
     * forgetting waits for the slowest partition, the identities it keeps must not outgrow the ledger's bound,
     * which would make it forget early and refuse the slow partition's events as late.
     */
    private void align(KafkaConsumer<byte[], byte[]> c, long oldest) {
        long ahead = Math.max(1, identities.horizonSeconds() / 4);
        List<TopicPartition> pause = new ArrayList<>(), resume = new ArrayList<>();
        for (TopicPartition tp : c.assignment()) {
            Long last = lastEventSeconds.get(tp);
            boolean tooFar = !aligned && oldest != Long.MAX_VALUE && last != null && last - oldest > ahead
                    && behind(c, tp);
            if (tooFar && !paused.contains(tp)) {
                pause.add(tp);
            } else if (!tooFar && paused.contains(tp)) {
                resume.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            c.pause(pause);
            paused.addAll(pause);
        }
        if (!resume.isEmpty()) {
            c.resume(resume);
            paused.removeAll(resume);
        }
    }

    /** Whether the partition still has records to read (or its lag is not known yet). */
    private static boolean behind(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        java.util.OptionalLong lag = c.currentLag(tp);
        return lag.isEmpty() || lag.getAsLong() > 0;
    }

    /** Drops the partitions read to their start-time end offsets; marks the replica whole once none is left. */
    private void noteCatchUp(KafkaConsumer<byte[], byte[]> c) {
        if (caughtUp) {
            return;
        }
        catchUpTo.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
        caughtUp = catchUpTo.isEmpty();
    }

    /**
     * Asks a broker for the end offsets (at most a few seconds): an answer is a contact; no answer for longer
     * than the feed's bound fails the cycle, saying why.
     */
    private void probe(KafkaConsumer<byte[], byte[]> c, long now) {
        try {
            c.endOffsets(c.assignment(), Duration.ofNanos(probeNanos));
            lastContact = nanoTime.getAsLong();
        } catch (TimeoutException noAnswer) {
            if (now - lastContact >= brokerTimeoutNanos) {
                throw new IllegalStateException("no broker at " + clients.bootstrapServers() + " has answered for "
                        + Duration.ofNanos(now - lastContact).toSeconds() + " s, more than the feed's brokerTimeout ("
                        + Duration.ofNanos(brokerTimeoutNanos) + "): " + noAnswer, noAnswer);
            }
        }
    }

    /**
     * Stops the feed if a topic's partition count changed since the start: its products moved between
     * partitions, under the per-partition state (see {@link HistoryGaps#partitionsChanged}).
     */
    private void checkPartitions(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> all;
        try {
            all = discovery.partitionsOf(c, CHECK_METADATA, () -> running);
        } catch (KafkaException | IllegalStateException notNow) {
            return; // metadata unavailable for now (a broker restarting): look again next time
        }
        FeedPositions.countsOf(all).forEach((topic, count) -> {
            int known = partitionCounts.getOrDefault(topic, count);
            if (count != known) {
                throw HistoryGaps.partitionsChanged(topic, known, count, "the feed, when it started,");
            }
        });
    }
}
