package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The peer: Kafka Streams reading the same five topics and the same JSON (decoded by the same streaming
 * codec the feed uses, so that the comparison is of the engines, not of JSON libraries) into a KTable of
 * (available, held) per {@code product|warehouse}, queried by interactive queries.
 *
 * <p>Two shapes, both correct for this input:
 * <ul>
 *   <li>{@link Shape#DSL} — what a Streams user writes: {@code map} to the position key,
 *       {@code groupByKey}, {@code aggregate}. Re-keying makes Streams write every record to a repartition
 *       topic and read it back.</li>
 *   <li>{@link Shape#PROCESSOR} — the fastest correct Streams program for this input: the topics are keyed
 *       by {@code product_id} and co-partitioned, so every position is owned by one task already, and a
 *       processor updates a store keyed by position directly, with no repartition topic.</li>
 * </ul>
 * The store is in memory or RocksDB, with Streams' record cache and changelog as they come by default.
 * Both shapes compute plain sums; they do not remove duplicates (the ledger does), which the workload does
 * not need.
 */
final class StreamsPeer implements AutoCloseable {
    static final String STORE = "positions";

    enum Shape { DSL, PROCESSOR }

    enum StoreKind { MEMORY, ROCKSDB }

    /** A variant of the peer, as named on the command line: {@code dsl-memory}, {@code processor-rocksdb} ... */
    record Variant(Shape shape, StoreKind store) {
        static Variant parse(String name) {
            String[] parts = name.trim().toUpperCase(java.util.Locale.ROOT).split("-");
            try {
                if (parts.length == 2) {
                    return new Variant(Shape.valueOf(parts[0]), StoreKind.valueOf(parts[1]));
                }
            } catch (IllegalArgumentException unknown) {
                // said below
            }
            throw new IllegalArgumentException("a Kafka Streams variant is dsl-memory, dsl-rocksdb, processor-memory "
                    + "or processor-rocksdb but was '" + name + "'");
        }

        @Override
        public String toString() {
            return shape.name().toLowerCase() + "-" + store.name().toLowerCase();
        }
    }

    /** Records aggregated so far (counted where the store is updated, after any repartition). */
    final LongAdder processed = new LongAdder();
    /** nanoTime of the first record aggregated, 0 before. Written once by a stream thread. */
    private volatile long firstNanos;
    private final KafkaStreams streams;
    private final Path stateDir;

    /**
     * @param extra Streams or client properties for this run (e.g. a latency run's {@code producer.linger.ms})
     */
    StreamsPeer(Variant variant, Topics topics, String bootstrapServers, String applicationId, int threads,
                Map<String, Object> extra) throws IOException {
        this.stateDir = Files.createTempDirectory("bench-streams");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.putAll(extra);
        streams = new KafkaStreams(topology(variant, topics).build(), props);
    }

    private StreamsBuilder topology(Variant variant, Topics topics) {
        StreamsBuilder b = new StreamsBuilder();
        Serde<InventoryEvent> events = Serdes.serdeFrom(noSerializer(), new EventDeserializer(topics.kindByTopic()));
        KStream<byte[], InventoryEvent> in = b.stream(topics.eventTopics(), Consumed.with(Serdes.ByteArray(), events));
        KeyValueBytesStoreSupplier supplier = variant.store() == StoreKind.MEMORY
                ? Stores.inMemoryKeyValueStore(STORE) : Stores.persistentKeyValueStore(STORE);
        if (variant.shape() == Shape.DSL) {
            in.map((k, e) -> KeyValue.pair(positionKey(e.productId(), e.warehouseId()), Counts.of(e)))
                    .groupByKey(Grouped.with("by-position", Serdes.String(), Counts.SERDE))
                    .aggregate(() -> Counts.ZERO, (k, delta, total) -> {
                        seen();
                        return total.plus(delta);
                    }, Materialized.<String, Counts>as(supplier).withKeySerde(Serdes.String())
                            .withValueSerde(Counts.SERDE));
        } else {
            b.addStateStore(Stores.keyValueStoreBuilder(supplier, Serdes.String(), Counts.SERDE).withCachingEnabled());
            in.process(() -> new Processor<byte[], InventoryEvent, Void, Void>() {
                private KeyValueStore<String, Counts> store;

                @Override
                public void init(ProcessorContext<Void, Void> context) {
                    store = context.getStateStore(STORE);
                }

                @Override
                public void process(Record<byte[], InventoryEvent> r) {
                    seen();
                    InventoryEvent e = r.value();
                    String key = positionKey(e.productId(), e.warehouseId());
                    Counts now = store.get(key);
                    store.put(key, (now == null ? Counts.ZERO : now).plus(Counts.of(e)));
                }
            }, STORE);
        }
        return b;
    }

    private void seen() {
        if (firstNanos == 0) {
            firstNanos = System.nanoTime();
        }
        processed.increment();
    }

    long firstNanos() {
        return firstNanos;
    }

    static String positionKey(String product, String warehouse) {
        return product + '|' + warehouse;
    }

    /** Starts the stream threads and waits until the application is RUNNING (its group joined). */
    void start() {
        streams.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING: " + streams.state());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Interactive-query view of the table (reads go through Streams' record cache, as a user's would). */
    ReadOnlyKeyValueStore<String, Counts> table() {
        return streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
    }

    /** Compares every position of the table with the workload's sums; the number of positions checked. */
    long verify(Workload w) {
        Map<String, Counts> seen = new HashMap<>();
        try (KeyValueIterator<String, Counts> it = table().all()) {
            it.forEachRemaining(kv -> seen.put(kv.key, kv.value));
        }
        long checked = 0;
        for (int p = 0; p < w.positions(); p++) {
            Counts c = seen.getOrDefault(positionKey(w.productOf(p), w.warehouseOf(p)), Counts.ZERO);
            if (c.available() != w.expectedAvailable(p) || c.held() != w.expectedHeld(p)) {
                throw new IllegalStateException("Kafka Streams' table differs at " + w.productOf(p) + "/"
                        + w.warehouseOf(p) + ": " + c + ", expected available " + w.expectedAvailable(p) + ", held "
                        + w.expectedHeld(p));
            }
            checked++;
        }
        return checked;
    }

    @Override
    public void close() throws IOException {
        streams.close(java.time.Duration.ofSeconds(30));
        streams.cleanUp();
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Available and held at a position, or the change one event makes to them. */
    record Counts(long available, long held) {
        static final Counts ZERO = new Counts(0, 0);
        static final Serde<Counts> SERDE = Serdes.serdeFrom(
                (topic, c) -> c == null ? null : ByteBuffer.allocate(16).putLong(c.available).putLong(c.held).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    return new Counts(b.getLong(), b.getLong());
                });

        /** The change an event makes, as the article's SQL sums it (a consumed hold's order also ends it). */
        static Counts of(InventoryEvent e) {
            return switch (e.kind()) {
                case RESERVATION_HELD -> new Counts(0, e.quantity());
                case RESERVATION_RELEASED -> new Counts(0, -e.quantity());
                case ORDER_PLACED -> new Counts(-e.quantity(), e.reservationId() == null ? 0 : -e.quantity());
                default -> new Counts(e.availableDelta(), 0);
            };
        }

        Counts plus(Counts d) {
            return new Counts(available + d.available, held + d.held);
        }
    }

    /** The feed's codec as a Streams deserializer: the topic names the kind. */
    private static final class EventDeserializer implements Deserializer<InventoryEvent> {
        private final Map<String, EventKind> kinds;
        private final EventCodec codec = new EventCodec(64 * 1024);

        EventDeserializer(Map<String, EventKind> kinds) {
            this.kinds = Map.copyOf(kinds);
        }

        @Override
        public InventoryEvent deserialize(String topic, byte[] data) {
            try {
                return codec.decode(kinds.get(topic), data);
            } catch (EventCodec.Refused e) {
                throw new SerializationException("refused record on " + topic + ": " + e.getMessage());
            }
        }
    }

    private static Serializer<InventoryEvent> noSerializer() {
        return (topic, e) -> {
            throw new UnsupportedOperationException("events are only read");
        };
    }

    static Map<String, Object> latencySettings() {
        // Streams' own producer lingers 100 ms by default (batching for throughput); the DSL shape writes every
        // record through it to the repartition topic. For the latency run it lingers as the publisher does.
        return Map.of(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
    }
}
