package dev.inventoryledger.kafka;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real Apache Kafka broker (KRaft, combined mode, one node) in this JVM, on a free port, with the
 * single-node settings docs/KAFKA-IN-TESTS.md lists. Clients reach it over loopback
 * ({@code localhost:PORT}); the test kit itself binds its pre-allocated listener sockets on all addresses
 * (SecuredBrokerTest shows a listener pinned to 127.0.0.1).
 */
final class InProcessBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> brokerConfig;
    private KafkaClusterTestKit cluster; // set by start()
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * A broker not started yet: {@link #start()} it and close it, or let a test class do both with
     * {@code @RegisterExtension static final InProcessBroker broker = new InProcessBroker();} (started before
     * its first test, closed after its last).
     */
    InProcessBroker() {
        this(Map.of());
    }

    /** As {@link #InProcessBroker()}, with these broker settings as well (e.g. auto topic creation off). */
    InProcessBroker(Map<String, String> brokerConfig) {
        this.brokerConfig = Map.copyOf(brokerConfig);
    }

    /** Starts the broker and waits until it is ready. */
    InProcessBroker start() throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
        brokerConfig.forEach(builder::setConfigProp);
        cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers(), "linger.ms", 0, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates the topics and returns once the broker leads every partition. Producing sooner can lose
     * records despite idempotence (KAFKA-15591): a first batch refused with NOT_LEADER_OR_FOLLOWER while the
     * broker applies the creation, and a later batch accepted, leave the first retrying with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout.
     */
    void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1));
            }
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
        awaitLeaders(topics);
    }

    /**
     * Waits until the broker leads every partition of the topics. Creation returns before that; an
     * idempotent producer writing at once can meet NOT_LEADER_OR_FOLLOWER on its first batch while later
     * batches land, and then retry that batch forever with OUT_OF_ORDER_SEQUENCE_NUMBER (seen with 4.3.1).
     * Listing offsets is answered by the leader only, so its success says the partitions are ready.
     */
    private void awaitLeaders(String... topics) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                List<org.apache.kafka.common.PartitionInfo> infos = c.partitionsFor(t, Duration.ofSeconds(30));
                while ((infos.isEmpty() || infos.stream().anyMatch(i -> i.leader() == null))
                        && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    infos = c.partitionsFor(t, Duration.ofSeconds(30));
                }
                infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            c.endOffsets(parts, Duration.ofSeconds(30));
        }
    }

    /** Deletes the topics and waits for the deletion. */
    void deleteTopics(String... topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.deleteTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Grows a topic to {@code total} partitions (Kafka only adds partitions, never removes them). */
    void addPartitions(String topic, int total) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Moves the partition's log start to {@code offset}, deleting every record before it, at once: what retention
     * does when it removes old segments, without waiting for the log cleaner.
     */
    void deleteRecordsBefore(TopicPartition partition, long offset) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.deleteRecords(Map.of(partition, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(offset)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A topic's configuration value, as the broker has it. */
    String topicConfig(String topic, String name) throws Exception {
        try (Admin admin = cluster.admin()) {
            org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get(name).value();
        }
    }

    /** Per partition of the topics, the offset the next record written to it will get. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) -> d.partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, at) -> ends.put(tp, at.offset()));
            return ends;
        }
    }

    /**
     * Shuts the broker down and waits until it is gone (the controller stays up); clients connected to it
     * see their connections closed and refused until {@link #startAgain()}.
     */
    void stop() {
        BrokerServer b = node();
        b.shutdown();
        b.awaitShutdown();
    }

    /**
     * Starts the stopped broker again, on the same port and with its data, and waits until it is ready: about
     * 9 s after {@link #stop()}, since the controller takes the new registration only once the old one's
     * session has expired ({@code broker.session.timeout.ms}).
     */
    void startAgain() throws Exception {
        node().startup();
        cluster.waitForReadyBrokers();
    }

    private BrokerServer node() {
        return cluster.brokers().values().iterator().next();
    }

    /** Writes one record and waits for the broker's acknowledgement. */
    void send(String topic, String key, String value) throws Exception {
        send(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    void send(String topic, String key, byte[] value) throws Exception {
        send(topic, null, key, value);
    }

    /** Writes one record to the given partition (null: by its key) and waits for the acknowledgement. */
    void send(String topic, Integer partition, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value)).get(30, TimeUnit.SECONDS);
    }

    /** Reads every record of a topic from the beginning until {@code expected} have arrived (bounded). */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }

    /** Every record of the topic's partitions (all of them if none is named), each partition read to its end. */
    List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Integer... partitions) {
        return readToEnd("read_uncommitted", topic, partitions);
    }

    /** As {@link #readToEnd(String, Integer...)}, at this {@code isolation.level}. */
    List<ConsumerRecord<byte[], byte[]>> readToEnd(String isolation, String topic, Integer... partitions) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers(),
                "isolation.level", isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions.length > 0
                    ? java.util.Arrays.stream(partitions).map(p -> new TopicPartition(topic, p)).toList()
                    : c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(30));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** How many records a topic holds (the sum of its partitions' end offsets; nothing is deleted in tests). */
    long recordCount(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(parts, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Waits until the condition holds, checking every millisecond; false if it did not within the bound. */
    static boolean await(BooleanSupplier condition, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        if (producer != null) { // null if start() failed before it
            producer.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
