package dev.inventoryledger.kafka;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
 *   <li>Starts at the latest or earliest offsets, or at given offsets (a checkpoint's);
 *       {@link #appliedOffsets()} says, per partition, the next offset to read.</li>
 *   <li>Any Kafka client property passes through ({@link Builder#clientProperty(String, Object)}): security
 *       protocol, SASL, TLS, client id.</li>
 *   <li>Checkpoints ({@link Builder#checkpoint(java.nio.file.Path)}): the ledger and the offsets of exactly
 *       the records applied are written on an interval and on stop; a restart restores them and resumes
 *       each partition where it stopped, nothing lost and nothing counted twice.</li>
 *   <li>Rides out a broker restart (the consumer reconnects; dead letters wait), reads partitions added
 *       while it runs from their beginning, and reports {@code inventory.feed.records{outcome}},
 *       {@code inventory.feed.lag}, {@code inventory.feed.records.per.second} and
 *       {@code inventory.feed.checkpoints{outcome}}.</li>
 *   <li>{@link Builder#rebuildAsOf(java.time.Instant, InventoryLedger.Builder)} rebuilds a ledger from the
 *       topics' history as of an instant, for audits.</li>
 * </ul>
 *
 * <p>Redeliveries are recognised by the ledger's memory of identities per product, counted in the order
 * the feed reads. While catching up on a backlog the feed reads each partition a fetch at a time, so one
 * product's events from other topics can come between an event and its redelivery: size
 * {@code identitiesPerProduct} for that distance, or lower {@code max.partition.fetch.bytes} (the crash
 * test uses 64 KiB). Replays after a restart need no memory at all: they resume at the checkpoint's
 * offsets.
 *
 * <pre>{@code
 * KafkaInventoryFeed feed = KafkaInventoryFeed.builder()
 *         .bootstrapServers("kafka:9092").ledger(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).build();
 * feed.start();   // returns once every partition is assigned and positioned
 * ...
 * feed.close();   // finishes the record in hand, returns within the close timeout
 * }</pre>
 */
public final class KafkaInventoryFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaInventoryFeed.class);

    /** Where the feed starts when no offsets are given. */
    public enum Start {
        /** Only records written after the start. */
        LATEST,
        /** Everything the topics still hold. */
        EARLIEST
    }

    /** Header names on dead-lettered records. */
    public static final String HEADER_TOPIC = "inventory.dlq.topic", HEADER_PARTITION = "inventory.dlq.partition",
            HEADER_OFFSET = "inventory.dlq.offset", HEADER_REASON = "inventory.dlq.reason";

    private final InventoryLedger ledger;
    private final Map<String, EventKind> kindByTopic;
    private final String deadLetterTopic;
    private final Start start;
    private Map<TopicPartition, Long> startOffsets; // set before the thread starts
    private final Path checkpointFile;
    private final long checkpointNanos;
    private final Counter[] checkpoints; // written, failed; null without a registry
    private final MeterRegistry registry; // null without one
    private final List<Gauge> gauges = new ArrayList<>();
    private final Map<String, Object> clientProperties;
    private final Duration closeTimeout;
    private final EventCodec codec;
    private final Counter[] outcomes; // applied, duplicate, conflict, dead_lettered; null without a registry
    private final long partitionCheckNanos;

    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running;
    private volatile boolean closed;
    private boolean inTake; // the feed thread's: a record is being applied or dead-lettered
    private volatile Throwable failure;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile long lag = -1; // records behind the end of every partition, summed; -1 until known
    private volatile double recordsPerSecond;
    private long windowStartNanos, windowRecords; // the feed thread's
    private Thread thread;

    private KafkaInventoryFeed(Builder b) {
        this.ledger = Objects.requireNonNull(b.ledger, "ledger must be set");
        if (b.bootstrapServers == null && !b.clientProperties.containsKey("bootstrap.servers")) {
            throw new IllegalStateException("bootstrapServers must be set");
        }
        this.kindByTopic = new LinkedHashMap<>();
        b.topics.forEach((kind, topic) -> kindByTopic.put(topic, kind));
        this.deadLetterTopic = b.deadLetterTopic;
        this.start = b.start;
        this.startOffsets = b.startOffsets == null ? null : Map.copyOf(b.startOffsets);
        this.clientProperties = new HashMap<>(b.clientProperties);
        if (b.bootstrapServers != null) {
            clientProperties.put("bootstrap.servers", b.bootstrapServers);
        }
        this.closeTimeout = b.closeTimeout;
        this.codec = new EventCodec(b.maxRecordBytes);
        this.partitionCheckNanos = b.partitionCheckInterval.toNanos();
        this.checkpointFile = b.checkpointFile;
        this.checkpointNanos = b.checkpointInterval.toNanos();
        this.registry = b.registry;
        if (b.registry == null) {
            outcomes = null;
            checkpoints = null;
        } else {
            checkpoints = new Counter[]{checkpointCounter(b.registry, "written"), checkpointCounter(b.registry, "failed")};
            String[] names = {"applied", "duplicate", "conflict", "dead_lettered"};
            outcomes = new Counter[names.length];
            for (int i = 0; i < names.length; i++) {
                outcomes[i] = Counter.builder("inventory.feed.records").tag("outcome", names[i])
                        .description("Kafka records read by the feed, by outcome").register(b.registry);
            }
        }
    }

    private static Counter checkpointCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("inventory.feed.checkpoints").tag("outcome", outcome)
                .description("Checkpoints the feed wrote, by outcome").register(registry);
    }

    /** A builder with the defaults documented on each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the feed's thread and waits until every partition of the five topics is assigned and positioned
     * (so that a record written after this returns is applied, whatever the start position).
     *
     * @throws IllegalStateException if already started, or if the feed could not start within 60 s (the
     *                               cause says why)
     */
    public synchronized void start() {
        if (thread != null || closed) {
            throw new IllegalStateException(closed ? "feed closed: build a new one" : "feed already started");
        }
        if (checkpointFile != null && Files.exists(checkpointFile)) {
            Map<String, Long> stored;
            try {
                stored = ledger.restore(checkpointFile);
            } catch (IOException e) {
                throw new IllegalStateException("could not restore checkpoint " + checkpointFile + " (" + e.getMessage()
                        + "); to rebuild from the topics instead, move the file away and start from EARLIEST", e);
            } catch (IllegalStateException used) {
                throw new IllegalStateException("could not restore checkpoint " + checkpointFile + " into a ledger that "
                        + "already holds state: give the feed a new ledger, and configure it (safety stock, "
                        + "thresholds) after start(), which restores those settings too", used);
            }
            startOffsets = offsetsOf(stored);
            if (!kindByTopic.keySet().containsAll(startOffsets.keySet().stream().map(TopicPartition::topic).toList())
                    || startOffsets.isEmpty()) {
                // Resuming from partitions the feed does not read would replay everything onto the restored counts.
                throw new IllegalStateException("checkpoint " + checkpointFile + " holds offsets " + stored.keySet()
                        + " that do not match this feed's topics " + kindByTopic.keySet() + ": replaying the topics "
                        + "onto it would count events twice; restore it with the topics it was written for");
            }
        }
        if (registry != null && gauges.isEmpty()) {
            gauges.add(Gauge.builder("inventory.feed.lag", this, f -> f.lag)
                    .description("Records not yet read, summed over the feed's partitions (-1 until known)")
                    .baseUnit("records").register(registry));
            gauges.add(Gauge.builder("inventory.feed.records.per.second", this, f -> f.recordsPerSecond)
                    .description("Records the feed took per second, over the last second or so")
                    .register(registry));
        }
        running = true;
        thread = new Thread(this::run, "inventory-kafka-feed");
        thread.setDaemon(true);
        thread.start();
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                close();
                throw new IllegalStateException("feed did not start within 60 s");
            }
        } catch (InterruptedException e) {
            close(); // do not leave a feed running that the caller believes failed
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the feed", e);
        }
        if (closed) {
            throw new IllegalStateException("feed closed while it was starting");
        }
        if (failure != null) {
            close(); // the thread is ending: wait for it, so that isRunning() is false once this throws
            throw new IllegalStateException("feed failed to start", failure);
        }
    }

    /**
     * Per partition, the next offset the feed will read: every record before it has been applied (or
     * dead-lettered). A snapshot, moved once per partition per poll (at most {@code max.poll.records} records,
     * a millisecond or so, after the records it covers were applied).
     */
    public Map<TopicPartition, Long> appliedOffsets() {
        return Map.copyOf(applied);
    }

    /** Why the feed stopped on its own, or null while it runs (or after a clean close). */
    public Throwable failure() {
        return failure;
    }

    /**
     * Records written to the feed's partitions and not yet read, summed (from the latest fetch responses);
     * −1 until known. Also the gauge {@code inventory.feed.lag}.
     */
    public long lag() {
        return lag;
    }

    /** Records taken per second over the last second or so. Also {@code inventory.feed.records.per.second}. */
    public double recordsPerSecond() {
        return recordsPerSecond;
    }

    /** True while the feed's thread runs. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Stops the feed: the record in hand is finished, then the thread ends within the close timeout. */
    @Override
    public void close() {
        closed = true;
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(closeTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Map<String, Object> consumerProps = new HashMap<>(clientProperties);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Freshness needs no short fetch wait: with fetch.min.bytes=1 the broker answers a waiting fetch as
        // soon as a record arrives. Metadata is refreshed often enough to see new partitions within a minute.
        consumerProps.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        consumerProps.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
        // Every partition is positioned explicitly; an offset that is no longer there (retention passed it)
        // must stop the feed, not skip silently to an end.
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        Map<String, Object> producerProps = new HashMap<>(clientProperties);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            consumer = c;
            assignAndPosition(c, partitionsOf(c, Duration.ofSeconds(30)));
            if (c.partitionsFor(deadLetterTopic, Duration.ofSeconds(30)).isEmpty()) {
                throw new IllegalStateException("dead-letter topic " + deadLetterTopic + " does not exist");
            }
            ready.countDown();
            long nextPartitionCheck = System.nanoTime() + partitionCheckNanos;
            long nextCheckpoint = System.nanoTime() + checkpointNanos;
            windowStartNanos = System.nanoTime();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                // Partition by partition, in the order the records came: the offset map is written once per
                // partition and poll rather than once per record (a map entry and a key object each time).
                for (TopicPartition tp : records.partitions()) {
                    EventKind kind = kindByTopic.get(tp.topic());
                    long next = -1;
                    try {
                        for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                            inTake = true;
                            boolean taken = take(r, kind, deadLetters);
                            inTake = false;
                            if (!taken) {
                                break; // stopped while a refused record waited for the dead-letter topic: not taken
                            }
                            next = r.offset() + 1;
                            windowRecords++;
                            if (!running) {
                                break; // the record in hand is finished; positions say where to resume
                            }
                        }
                    } finally {
                        if (next >= 0) {
                            applied.put(tp, next); // also when take() threw: what was applied before it counts
                        }
                    }
                    if (!running) {
                        break;
                    }
                }
                long now = System.nanoTime();
                measure(c, now);
                if (checkpointFile != null && now - nextCheckpoint >= 0) {
                    checkpoint(); // between records: the offsets are exactly those of the events applied
                    nextCheckpoint = System.nanoTime() + checkpointNanos;
                }
                if (now - nextPartitionCheck >= 0) {
                    nextPartitionCheck = now + partitionCheckNanos;
                    try {
                        List<TopicPartition> all = partitionsOf(c, Duration.ofSeconds(1));
                        if (!c.assignment().containsAll(all)) {
                            assignAndPosition(c, all); // partitions were added: every record on them is new
                        }
                    } catch (KafkaException | IllegalStateException notNow) {
                        // metadata unavailable for now (a broker restarting): look again next time
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke the consumer: a normal stop
        } catch (Throwable t) {
            failure = t;
            LOG.error("inventory feed stopped: {}", t.toString(), t);
        } finally {
            consumer = null;
            running = false;
            lag = -1;
            recordsPerSecond = 0;
            if (checkpointFile != null && ready.getCount() == 0 && !inTake) {
                checkpoint(); // on close or failure between records: state and offsets agree
            }
            if (registry != null) {
                gauges.forEach(registry::remove); // a feed built after this one registers its own
            }
            ready.countDown();
        }
    }

    /** Writes the checkpoint with the applied offsets; a failure is counted and logged, the feed goes on. */
    private void checkpoint() {
        Map<String, Long> offsets = new HashMap<>();
        applied.forEach((tp, offset) -> offsets.put(tp.topic() + ":" + tp.partition(), offset));
        try {
            ledger.checkpoint(checkpointFile, offsets);
            count(checkpoints, 0);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            count(checkpoints, 1);
            LOG.warn("could not write checkpoint {}; the previous one stays: {}", checkpointFile, e.toString());
        }
    }

    /** The checkpoint's source offsets ({@code topic:partition}) as partitions. */
    private static Map<TopicPartition, Long> offsetsOf(Map<String, Long> stored) {
        Map<TopicPartition, Long> out = new HashMap<>();
        stored.forEach((key, offset) -> {
            int colon = key.lastIndexOf(':');
            if (colon > 0) {
                out.put(new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1))), offset);
            }
        });
        return out;
    }

    /** Lag and rate, from the feed thread after each poll. */
    private void measure(KafkaConsumer<byte[], byte[]> c, long now) {
        long behind = 0;
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            if (l.isEmpty()) {
                behind = -1;
                break;
            }
            behind += l.getAsLong();
        }
        if (behind >= 0) {
            lag = behind;
        }
        long elapsed = now - windowStartNanos;
        if (elapsed >= 1_000_000_000L) {
            recordsPerSecond = windowRecords * 1e9 / elapsed;
            windowRecords = 0;
            windowStartNanos = now;
        }
    }

    /**
     * Every partition of the feed's topics, as the consumer's metadata knows them; a topic the metadata
     * does not show yet (just created) is asked for again until the timeout.
     */
    private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> c, Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : kindByTopic.keySet()) {
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            while ((infos == null || infos.isEmpty()) && System.nanoTime() - deadline < 0 && running) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a back-off, not a poll interval
                infos = c.partitionsFor(topic, timeout);
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
            }
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        return partitions;
    }

    /**
     * Assigns the partitions and positions those not yet assigned: at the given offsets, or the start
     * position; a partition added while the feed runs starts at its beginning.
     */
    private void assignAndPosition(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> all) {
        Set<TopicPartition> had = Set.copyOf(c.assignment());
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartition tp : all) {
            if (!had.contains(tp)) {
                partitions.add(tp);
            }
        }
        c.assign(all);
        if (!had.isEmpty()) {
            c.seekToBeginning(partitions);
        } else if (startOffsets != null) {
            for (TopicPartition tp : partitions) {
                Long offset = startOffsets.get(tp);
                if (offset != null) {
                    c.seek(tp, offset);
                } else {
                    c.seekToBeginning(List.of(tp)); // a partition the checkpoint never saw: all of it is new
                }
            }
        } else if (start == Start.EARLIEST) {
            c.seekToBeginning(partitions);
        } else {
            c.seekToEnd(partitions);
        }
        for (TopicPartition tp : partitions) {
            applied.put(tp, c.position(tp)); // resolves lazy seeks now, so start() returns positioned
        }
    }

    /** Applies or dead-letters one record; false if the feed stopped before a dead letter was written. */
    private boolean take(ConsumerRecord<byte[], byte[]> r, EventKind kind, KafkaProducer<byte[], byte[]> deadLetters)
            throws Exception {
        String reason;
        try {
            InventoryEvent event = codec.decode(kind, r.value());
            ApplyOutcome outcome = ledger.apply(event);
            count(outcome.ordinal());
            return true;
        } catch (EventCodec.Refused refused) {
            reason = refused.getMessage();
        } catch (InvalidEventException refused) {
            reason = refused.getMessage();
        }
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        headers.add(HEADER_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        // Synchronous: the offset moves past a refused record only once the dead-letter topic has it.
        if (!deadLetter(deadLetters, new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), headers))) {
            return false;
        }
        count(3);
        return true;
    }

    /**
     * Writes a dead letter, waiting out a broker outage (retriable errors are retried while the feed runs).
     * False if the feed was closed first: the record is then not taken, and is read again on the next start.
     */
    private boolean deadLetter(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> letter)
            throws Exception {
        while (running) {
            try {
                Future<RecordMetadata> sent = producer.send(letter);
                while (true) {
                    try {
                        sent.get(100, TimeUnit.MILLISECONDS);
                        return true;
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        if (!running) {
                            return false;
                        }
                    }
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
                LOG.warn("dead letter not written yet, retrying: {}", e.getCause().toString());
            } catch (RetriableException metadataWait) {
                LOG.warn("dead letter not written yet (no metadata), retrying: {}", metadataWait.toString());
            }
        }
        return false;
    }

    private void count(int outcome) {
        count(outcomes, outcome);
    }

    private static void count(Counter[] counters, int i) {
        if (counters != null) {
            counters[i].increment();
        }
    }

    /** Configures a {@link KafkaInventoryFeed}; each option is checked when set. */
    public static final class Builder {
        private InventoryLedger ledger;
        private String bootstrapServers;
        private final Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        private String deadLetterTopic = "inventory_dead_letters";
        private Start start = Start.LATEST;
        private Map<TopicPartition, Long> startOffsets;
        private final Map<String, Object> clientProperties = new HashMap<>();
        private Duration closeTimeout = Duration.ofSeconds(10);
        private int maxRecordBytes = 64 * 1024;
        private MeterRegistry registry;
        private Duration partitionCheckInterval = Duration.ofSeconds(10);
        private Path checkpointFile;
        private Duration checkpointInterval = Duration.ofSeconds(60);

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

        /** The brokers, e.g. {@code kafka-1:9092,kafka-2:9092}. Required (or as a client property). */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = Options.requireText("bootstrapServers", servers);
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

        /**
         * Any Kafka client property, passed to the consumer and to the dead-letter producer unchanged
         * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.id}, fetch settings ...).
         */
        public Builder clientProperty(String name, Object value) {
            clientProperties.put(Options.requireText("name", name), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long {@link #close()} waits for the feed's thread. Default 10 s. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Options.requirePositive("closeTimeout", timeout);
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
         * partition the checkpoint does not name is read from its beginning. Default: no checkpoints.
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
         * How often the feed looks for partitions added to its topics (a new partition is read from its
         * beginning). It sees them once the consumer's metadata has them: within {@code metadata.max.age.ms},
         * which the feed sets to 30 s unless given. Default 10 s.
         */
        public Builder partitionCheckInterval(Duration interval) {
            this.partitionCheckInterval = Options.requirePositive("partitionCheckInterval", interval);
            return this;
        }

        /**
         * Meters: {@code inventory.feed.records{outcome=applied|duplicate|conflict|dead_lettered}},
         * {@code inventory.feed.lag} and {@code inventory.feed.records.per.second}. Default: none.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
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
         */
        public InventoryLedger rebuildAsOf(Instant asOf, InventoryLedger.Builder ledgerSettings) {
            Objects.requireNonNull(asOf, "asOf");
            // While an event is applied the clock shows its event time (a hold extended before it lapsed is
            // extended); when the rebuild is done it stands at asOf, where holds due by then no longer count.
            Instant[] now = {asOf};
            Clock clock = new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now[0];
                }
            };
            InventoryLedger rebuilt = Objects.requireNonNull(ledgerSettings, "ledgerSettings").clock(clock).build();
            Map<String, Object> props = new HashMap<>(clientProperties);
            if (bootstrapServers != null) {
                props.put("bootstrap.servers", bootstrapServers);
            }
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // history deleted meanwhile: fail, not skip
            EventCodec codec = new EventCodec(maxRecordBytes);
            Map<String, EventKind> kinds = new HashMap<>();
            topics.forEach((kind, topic) -> kinds.put(topic, kind));
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : kinds.keySet()) {
                    for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                        partitions.add(new TopicPartition(topic, p.partition()));
                    }
                }
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(30)));
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                while (!end.isEmpty()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        Long last = end.get(new TopicPartition(r.topic(), r.partition()));
                        if (last == null || r.offset() >= last) {
                            continue; // written after the call began
                        }
                        try {
                            InventoryEvent e = codec.decode(kinds.get(r.topic()), r.value());
                            if (!e.eventTime().isAfter(asOf)) {
                                now[0] = e.eventTime();
                                rebuilt.apply(e);
                            }
                        } catch (EventCodec.Refused | InvalidEventException refused) {
                            // dead-lettered when it was fed; not part of the counts
                        }
                    }
                    end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                }
            }
            now[0] = asOf;
            return rebuilt;
        }

        /** A feed, not yet started. */
        public KafkaInventoryFeed build() {
            return new KafkaInventoryFeed(this);
        }
    }
}
