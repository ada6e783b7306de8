package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.cluster.FencingGate;
import dev.inventoryledger.kafka.internal.feed.AsOfRebuild;
import dev.inventoryledger.kafka.internal.feed.DeadLetterWriter;
import dev.inventoryledger.kafka.internal.feed.FeedConfig;
import dev.inventoryledger.kafka.internal.feed.FeedCycle;
import dev.inventoryledger.kafka.internal.feed.FeedSnapshots;
import dev.inventoryledger.kafka.internal.feed.FeedRunner;
import dev.inventoryledger.kafka.internal.feed.RecordGate;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Feeds an {@link InventoryLedger} from the article's five Kafka topics, in replica mode: every instance is
 * assigned every partition (no consumer group splits them), so its ledger answers for every product.
 *
 * <ul>
 *   <li>Topics {@code orders}, {@code order_cancellations}, {@code returns}, {@code warehouse_receipts},
 *       {@code reservations} by default, each renamable; JSON as in the article (snake_case,
 *       {@code event_time} ISO-8601 with an offset or {@code Z}), plus optional {@code event_id},
 *       {@code reservation_id} and {@code expires_at}. Unknown fields are ignored.</li>
 *   <li>A record the ledger cannot take (not JSON, wrong type, missing field, quantity ≤ 0, bad time,
 *       unknown status, oversized) never stops the feed and is never silently lost: it goes to the
 *       dead-letter topic ({@code inventory_dead_letters} by default) with its original key and value and
 *       headers naming the source topic, partition, offset and the reason, and is counted. If the
 *       dead-letter write meets a broker outage, the feed waits it out; if it fails for good, the feed
 *       stops at that record ({@link #failure()}) rather than skip it.</li>
 *   <li>Starts at the latest offsets, at the beginning of the history ({@link Start#EARLIEST}), or at given
 *       offsets (a checkpoint's); never over a partial history: a resume point the log no longer holds fails
 *       {@link #start()}, naming the partition, the offset needed, the log's start and the remedies;
 *       {@link #appliedOffsets()} says, per partition, the next offset to read.</li>
 *   <li>Any Kafka client property passes through ({@link Builder#clientProperty(String, Object)}): security
 *       protocol, SASL, TLS, client id.</li>
 *   <li>Checkpoints ({@link Builder#checkpoint(java.nio.file.Path)}): the ledger and the offsets of exactly
 *       the records applied are written on an interval and on stop; a restart restores them and resumes
 *       each partition where it stopped, nothing lost and nothing counted twice.</li>
 *   <li>Shared snapshots ({@link Builder#snapshotTopic(String)}): at start, per partition, the newest whole
 *       state there or in the checkpoint, whichever reflects more, is loaded and only the log after it is read,
 *       so a new instance with an empty disk is ready in time that follows the catalog, not the history;
 *       {@link Builder#snapshotInterval(Duration)} and {@link #snapshotNow()} write them.</li>
 *   <li>Checks at start that every topic it reads or writes exists, and fails at once naming each that does
 *       not (see {@link InventoryTopics}); it never waits on the metadata of a missing topic.</li>
 *   <li>{@link #start()} returns once the replica has read every partition up to the end offsets found at
 *       start: an instance serves counts only from a whole replica. {@link #status()} says where it is
 *       ({@link FeedState}: starting, catching up, live, failed, closed), how far behind, and when it last
 *       applied a record: a readiness probe passes while it is {@link FeedState#LIVE}.</li>
 *   <li>Rides out a broker restart (the consumer reconnects; dead letters wait) for up to its
 *       {@link Builder#brokerTimeout(Duration) brokerTimeout}, after which it fails and says why; and
 *       reports {@code inventory.feed.records{outcome}},
 *       {@code inventory.feed.lag}, {@code inventory.feed.records.per.second},
 *       {@code inventory.feed.checkpoints{outcome}}, {@code inventory.feed.state{state}},
 *       {@code inventory.feed.last.applied.age} and its consumer's own metrics.</li>
 *   <li>Reads topics that an {@link InventoryCluster} writes as its replicas do: it applies the cluster's
 *       fencing rule (a decision of an owner whose partition was claimed since is skipped) and skips its
 *       control records (claims, answers that changed nothing: records with no value and the cluster's
 *       headers).</li>
 *   <li>{@link Builder#rebuildAsOf(java.time.Instant, InventoryLedger.Builder)} rebuilds a ledger from the
 *       topics' history as of an instant, for audits.</li>
 * </ul>
 *
 * <p>Redeliveries are recognised by the ledger's memory of identities within its
 * {@link InventoryLedger.Builder#dedupHorizon(Duration) dedup horizon} (24 hours of event time by default), in
 * whatever order the feed reads the topics. A record the ledger refuses as {@link
 * dev.inventoryledger.core.ApplyOutcome#LATE late} (it could be a redelivery of an identity forgotten since) is
 * dead-lettered with the reason, not lost. Replays after a restart need no memory at all: they resume at the
 * checkpoint's offsets.
 *
 * <pre>{@code
 * KafkaInventoryFeed feed = KafkaInventoryFeed.builder()
 *         .bootstrapServers("kafka:9092").ledger(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).build();
 * feed.start();   // returns once the replica has read every partition to where it ended at start
 * ...
 * feed.close();   // finishes the record in hand, returns within the close timeout
 * }</pre>
 */
public final class KafkaInventoryFeed implements AutoCloseable {
    /** Where the feed starts when no offsets are given. */
    public enum Start {
        /** Only records written after the start. */
        LATEST,
        /**
         * The whole history: every partition from offset 0, or from the newest whole snapshot that covers it. If
         * the log no longer holds a partition's resume point (retention or a deletion passed it, and no snapshot
         * covers the gap), {@link KafkaInventoryFeed#start()} fails naming the partition, the offset needed and
         * the log's start: a replica is never whole over a partial history.
         */
        EARLIEST,
        /**
         * As {@link #EARLIEST}, but where no checkpoint or snapshot covers a partition, start at whatever its log
         * still holds, accepting that the history before is gone: for a shop adopting the library on topics whose
         * early history has passed retention. The counts then lack that history; the shop supplies opening
         * balances (for instance a receipt per position, or the counted stock). Shown as
         * {@link StartPoint.Origin#LOG_START} in {@link Status#start()}.
         */
        LOG_START
    }

    /** Header names on dead-lettered records. */
    public static final String HEADER_TOPIC = DeadLetterWriter.HEADER_TOPIC,
            HEADER_PARTITION = DeadLetterWriter.HEADER_PARTITION, HEADER_OFFSET = DeadLetterWriter.HEADER_OFFSET,
            HEADER_REASON = DeadLetterWriter.HEADER_REASON;

    // The machinery is in dev.inventoryledger.kafka.internal: the runner runs the cycle on the feed's thread;
    // the cycle polls, takes records and does the periodic duties through one service per concern.
    private final FeedCycle cycle;
    private final FeedRunner runner;

    private KafkaInventoryFeed(FeedCycle cycle, Duration closeTimeout, Duration startTimeout) {
        this.cycle = cycle;
        this.runner = new FeedRunner(cycle, closeTimeout, startTimeout);
    }

    /**
     * Where a feed stands, at one moment.
     *
     * @param state         where it is in its life
     * @param lag           records written to its partitions and not yet read, summed; −1 until known
     * @param lastAppliedAt when it last applied a record (wall clock), or null before the first
     * @param failure       why it stopped on its own, or null
     * @param start         per partition, where the feed began reading at start (checkpoint, snapshot, the
     *                      beginning of the history, the log's start ...) and how much it had to read; empty
     *                      before the start
     */
    public record Status(FeedState state, long lag, Instant lastAppliedAt, Throwable failure,
                         Map<TopicPartition, StartPoint> start) {
        /** Records read at start before the replica was whole, over every partition. */
        public long readAtStart() {
            return start.values().stream().mapToLong(StartPoint::toRead).sum();
        }
    }

    /** A builder with the defaults documented on each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Restores the checkpoint if there is one, checks the topics, starts the feed's thread, and waits until the
     * replica has read every partition up to the end offsets found at start ({@link FeedState#LIVE}): the counts
     * are then whole, and a record written after this returns will be applied.
     *
     * @throws IllegalStateException if already started or closed; if a topic is missing (the message names each
     *                               and the call that creates them); if the feed failed (the message and cause
     *                               say why); or if it did not catch up within the
     *                               {@link Builder#startTimeout(Duration) startTimeout} (the feed is then closed)
     */
    public void start() {
        runner.start();
    }

    /**
     * Per partition, the next offset the feed will read: every record before it has been applied (or
     * dead-lettered). A snapshot, moved once per partition per poll (at most {@code max.poll.records} records,
     * a millisecond or so, after the records it covers were applied).
     */
    public Map<TopicPartition, Long> appliedOffsets() {
        return cycle.appliedOffsets();
    }

    /** Why the feed stopped on its own, or null while it runs (or after a clean close). */
    public Throwable failure() {
        return runner.failure();
    }

    /**
     * Writes a snapshot of every partition to the snapshot topic, taken at the feed's next step (between
     * records, so the offsets are exactly those of the state): for tests, and for an operator before a deploy.
     *
     * @return completes once every partition's snapshot is whole in the topic; exceptionally if the feed has no
     *         snapshot topic or is not running, or a write failed (the previous snapshot then stays the newest)
     */
    public java.util.concurrent.CompletableFuture<Void> snapshotNow() {
        return cycle.snapshotNow();
    }

    /**
     * Records written to the feed's partitions and not yet read, summed (from the latest fetch responses);
     * −1 until known. Also the gauge {@code inventory.feed.lag}.
     */
    public long lag() {
        return cycle.lag();
    }

    /** Records taken per second over the last second or so. Also {@code inventory.feed.records.per.second}. */
    public double recordsPerSecond() {
        return cycle.recordsPerSecond();
    }

    /** Where the feed is in its life. */
    public FeedState state() {
        return cycle.metrics().state();
    }

    /**
     * The feed's state, lag, last applied record and failure, read at one moment: what a health check, or a
     * read that needs to know how fresh the replica is, asks.
     */
    public Status status() {
        return new Status(state(), lag(), cycle.lastAppliedAt(), failure(), cycle.startPoints());
    }

    /** True while the feed's thread runs. */
    public boolean isRunning() {
        return runner.isRunning();
    }

    /** Stops the feed: the record in hand is finished, then the thread ends within the close timeout. */
    @Override
    public void close() {
        runner.close();
    }

    /** Configures a {@link KafkaInventoryFeed}; each option is checked when set. */
    public static final class Builder extends ServiceBuilder<Builder> {
        private InventoryLedger ledger;
        private final Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        private String deadLetterTopic = "inventory_dead_letters";
        private Start start = Start.LATEST;
        private Map<TopicPartition, Long> startOffsets;
        private int maxRecordBytes = 64 * 1024;
        private Duration partitionCheckInterval = Duration.ofSeconds(10);
        private Path checkpointFile;
        private Duration checkpointInterval = Duration.ofSeconds(60);
        private Duration startTimeout = Duration.ofMinutes(5);
        private Duration brokerTimeout = Duration.ofSeconds(60);
        private RecordGate gate;
        private boolean snapshots = true;
        private String snapshotTopic = InventoryTopics.DEFAULT_SNAPSHOT_TOPIC;
        private Duration snapshotInterval = Duration.ZERO;
        private int snapshotChunkBytes = 512 * 1024;

        private Builder() {
            topics.put(EventKind.ORDER_PLACED, EventKind.ORDER_PLACED.defaultTopic());
            topics.put(EventKind.ORDER_CANCELLED, EventKind.ORDER_CANCELLED.defaultTopic());
            topics.put(EventKind.RETURN_RECEIVED, EventKind.RETURN_RECEIVED.defaultTopic());
            topics.put(EventKind.STOCK_RECEIVED, EventKind.STOCK_RECEIVED.defaultTopic());
            topics.put(EventKind.RESERVATION_HELD, EventKind.RESERVATION_HELD.defaultTopic());
        }

        /** The ledger every record is applied to. Required. */
        public Builder ledger(InventoryLedger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            return this;
        }

        /**
         * Renames the topic of a kind (both reservation kinds share one topic: name either). Defaults: the
         * article's names, see {@link EventKind#defaultTopic()}.
         */
        public Builder topic(EventKind kind, String topic) {
            Objects.requireNonNull(kind, "kind");
            topics.put(kind.isReservation() ? EventKind.RESERVATION_HELD : kind, Options.requireText("topic", topic));
            return this;
        }

        /** Where refused records go. Default {@code inventory_dead_letters}. */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = Options.requireText("deadLetterTopic", topic);
            return this;
        }

        /** Where to start without stored offsets. Default {@link Start#LATEST}, as in the article. */
        public Builder startFrom(Start start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * Start at these offsets (e.g. a checkpoint's {@link #appliedOffsets()}); a partition not named
         * starts at its beginning.
         */
        public Builder startFrom(Map<TopicPartition, Long> offsets) {
            this.startOffsets = Map.copyOf(Objects.requireNonNull(offsets, "offsets"));
            return this;
        }

        /** Records larger than this are dead-lettered unread. Default 64 KiB. */
        public Builder maxRecordBytes(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxRecordBytes must be >= 64 but was " + bytes);
            }
            this.maxRecordBytes = bytes;
            return this;
        }

        /**
         * Keeps the ledger in a checkpoint file: on {@link #start()}, if the file exists, the (new, empty)
         * ledger is restored from it and every partition resumes at its stored offset, so no record is
         * applied twice and none is skipped, however long ago its identity was forgotten; while running,
         * the feed checkpoints every {@link #checkpointInterval(Duration) interval} and when it stops. A
         * topic the checkpoint does not name is read from its beginning; a checkpoint offset the log no longer
         * holds, or a topic whose partition count changed since, fails the start. Default: no checkpoints.
         */
        public Builder checkpoint(Path file) {
            this.checkpointFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How often the feed checkpoints while running (see {@link #checkpoint(Path)}). Default 60 s. */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Options.requirePositive("checkpointInterval", interval);
            return this;
        }

        /**
         * How often the feed checks that its topics still have the partition counts they had at start. A changed
         * count moves products between partitions under the state, so the feed then stops ({@link FeedState#FAILED},
         * the failure saying which topic); the README says how to move to topics with another count. It sees a
         * change once the consumer's metadata has it: within {@code metadata.max.age.ms}, which the feed sets to
         * 30 s unless given. Default 10 s.
         */
        public Builder partitionCheckInterval(Duration interval) {
            this.partitionCheckInterval = Options.requirePositive("partitionCheckInterval", interval);
            return this;
        }

        /**
         * The audit path: a new ledger rebuilt from the topics' whole history as it stands now, as of an
         * instant — only events whose {@code event_time} is at or before {@code asOf} are applied, and the
         * ledger's clock stands at {@code asOf}, so holds whose {@code expires_at} is at or before it no
         * longer count ("what did we believe was sellable at 14:03?"). Uses this builder's brokers, topics
         * and client properties; not its ledger. Records the feed would refuse are skipped. Blocks until
         * every partition has been read to the end it had when the call began.
         *
         * @param ledgerSettings settings for the rebuilt ledger; this builder's clock is replaced (do not
         *                       reuse it for a live ledger), and its listeners and meter registry, if any,
         *                       hear the rebuild. Identities must be remembered long enough to recognise the
         *                       history's redeliveries
         * @throws IllegalStateException if a topic still has no partitions after about 30 s (does it exist?)
         */
        public InventoryLedger rebuildAsOf(Instant asOf, InventoryLedger.Builder ledgerSettings) {
            Objects.requireNonNull(asOf, "asOf");
            Objects.requireNonNull(ledgerSettings, "ledgerSettings");
            return new AsOfRebuild(clients(), kindByTopic(), maxRecordBytes).rebuild(asOf, ledgerSettings);
        }

        /**
         * How long {@link #start()} waits for the replica to read what the topics held at start, before it
         * closes the feed and fails. Default 5 minutes; size it for the backlog a restart reads (the offsets
         * since the last checkpoint, or the whole history without one).
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Options.requirePositive("startTimeout", timeout);
            return this;
        }

        /**
         * How long the feed goes on when no broker answers (it rides out a restart meanwhile) before it fails,
         * saying so in {@link #failure()}: also the longest a dead letter waits to be written. Default 60 s.
         */
        public Builder brokerTimeout(Duration timeout) {
            this.brokerTimeout = Options.requirePositive("brokerTimeout", timeout);
            return this;
        }

        /**
         * The shared snapshots' topic (a compacted topic, {@code inventory_snapshots} by default, made by
         * {@link InventoryTopics}). At {@link #start()} a feed that reads the history (from the beginning, or
         * from a checkpoint) loads, per partition, the newest whole snapshot there if it reflects more than the
         * checkpoint, and reads only the log after it: time to ready follows the catalog and the tail, not the
         * history's length. Without the topic the feed starts as without snapshots.
         */
        public Builder snapshotTopic(String topic) {
            this.snapshotTopic = Options.requireText("snapshotTopic", topic);
            return this;
        }

        /**
         * How often this feed writes a snapshot of every partition to the snapshot topic (the topic must exist).
         * Default {@link Duration#ZERO}: never on its own ({@link KafkaInventoryFeed#snapshotNow()} still writes
         * one). Several feeds may write (each keeps its own two slots per partition; a reader takes the newest
         * whole one): safe, if wasteful; one writer is enough, best a feed whose ledger takes no in-process holds
         * (a snapshot holds what its ledger did in process before its publisher wrote it). An
         * {@link InventoryCluster} writes its owned partitions itself.
         *
         * @throws IllegalArgumentException if negative, or positive and under a second
         */
        public Builder snapshotInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 1_000)) {
                throw new IllegalArgumentException("snapshotInterval must be 0 or at least 1 s but was " + interval);
            }
            this.snapshotInterval = interval;
            return this;
        }

        /**
         * The largest chunk a snapshot is cut into, under the topic's {@code max.message.bytes} (1 MB by default
         * on a broker). Default 512 KiB.
         *
         * @throws IllegalArgumentException if under 1 KiB or over 16 MiB
         */
        public Builder snapshotChunkBytes(int bytes) {
            if (bytes < 1024 || bytes > (16 << 20)) {
                throw new IllegalArgumentException("snapshotChunkBytes must be between 1024 and 16777216 but was "
                        + bytes);
            }
            this.snapshotChunkBytes = bytes;
            return this;
        }

        /** Whether to use the snapshot topic at all (read at start, write if asked). Default true. */
        public Builder snapshots(boolean use) {
            this.snapshots = use;
            return this;
        }

        /** For {@link InventoryCluster}: what stands between the records and the ledger. */
        Builder gate(RecordGate gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /** A feed, not yet started. */
        public KafkaInventoryFeed build() {
            return new KafkaInventoryFeed(cycle(System::nanoTime), closeTimeout, startTimeout);
        }

        /** The feed's work cycle with these settings and this nanosecond source: for a test to drive. */
        FeedCycle cycle(LongSupplier nanoTime) {
            Objects.requireNonNull(ledger, "ledger must be set");
            return new FeedCycle(new FeedConfig(ledger, clients(), kindByTopic(), deadLetterTopic,
                    start != Start.LATEST, start == Start.LOG_START, startOffsets, maxRecordBytes, partitionCheckInterval, checkpointFile,
                    checkpointInterval, registry, brokerTimeout, Clock.systemUTC(),
                    gate != null ? gate : new FencingGate(), snapshots ? new FeedSnapshots.Settings(snapshotTopic,
                    snapshotInterval, snapshotChunkBytes) : null), nanoTime);
        }

        private KafkaClients clients() {
            return new KafkaClients(bootstrapServers, clientProperties, instanceId, registry);
        }

        private Map<String, EventKind> kindByTopic() {
            Map<String, EventKind> kinds = new LinkedHashMap<>();
            topics.forEach((kind, topic) -> kinds.put(topic, kind));
            return kinds;
        }
    }
}
