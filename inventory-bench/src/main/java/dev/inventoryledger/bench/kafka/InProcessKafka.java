package dev.inventoryledger.bench.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Apache Kafka broker (KRaft, one combined broker/controller node) in this JVM on a free loopback
 * port, with the single-node settings that consumer groups and Kafka Streams need
 * ({@code docs/KAFKA-IN-TESTS.md}). Its log directories are temporary and removed by {@link #close()}.
 */
public final class InProcessKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private InProcessKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts the broker and waits until it is ready (about 2–3 s). */
    public static InProcessKafka start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return new InProcessKafka(cluster);
    }

    /** {@code localhost:PORT}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates the topics and returns once the broker leads every partition: producing sooner can lose
     * records despite idempotence (KAFKA-15591, see the kafka module's InProcessBroker).
     */
    public void createTopics(int partitions, Collection<String> topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1));
            }
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                List<PartitionInfo> infos = c.partitionsFor(t, Duration.ofSeconds(30));
                while ((infos.isEmpty() || infos.stream().anyMatch(i -> i.leader() == null))
                        && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    infos = c.partitionsFor(t, Duration.ofSeconds(30));
                }
                infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            c.endOffsets(parts, Duration.ofSeconds(30)); // answered by the leader only: every partition is led
        }
    }

    /** Every partition of the topics with the offset its next record will get. */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            return c.endOffsets(parts, Duration.ofSeconds(30));
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
