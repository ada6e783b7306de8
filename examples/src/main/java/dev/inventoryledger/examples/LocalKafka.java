package dev.inventoryledger.examples;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker started inside this JVM, so that the examples run with no Kafka installation:
 * one KRaft node that is both broker and controller, from Apache Kafka's own test kit
 * ({@code org.apache.kafka:kafka-test-common-runtime}), its data in a temporary directory that
 * {@link #close()} deletes. Not for production: one node, no replication, gone when the JVM exits.
 *
 * <p>Clients reach it at {@code 127.0.0.1:PORT} ({@link #bootstrapServers()}), on a listener the broker
 * opens on the loopback address only. The test kit itself still binds two sockets on every address before
 * the broker starts: its controller listener (served, for the KRaft quorum) and an unused client listener.
 */
final class LocalKafka implements AutoCloseable {
    /** The client listener: PLAINTEXT, opened by the broker on 127.0.0.1 (the kit's own binds every address). */
    private static final String LOOPBACK = "LOOPBACK";
    private static final long TIMEOUT_SECONDS = 30;

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private LocalKafka(KafkaClusterTestKit cluster, String bootstrapServers) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats the node's directories, starts it and waits until the broker is ready (2–3 s).
     *
     * @throws Exception if it does not start; nothing is left running then
     */
    static LocalKafka start() throws Exception {
        return start(0);
    }

    /** As {@link #start()}, clients reaching it at {@code 127.0.0.1:port} (0: a free port). */
    static LocalKafka start(int port) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("listeners", LOOPBACK + "://127.0.0.1:" + port + ",CONTROLLER://localhost:0")
                .setConfigProp("listener.security.protocol.map", LOOPBACK + ":PLAINTEXT,CONTROLLER:PLAINTEXT")
                .setConfigProp("inter.broker.listener.name", LOOPBACK)
                // One node cannot host the internal topics at their default replication factor of 3: without
                // these, consumer groups and transactions wait for ever (docs/KAFKA-IN-TESTS.md).
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            format(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            int bound = cluster.brokers().values().iterator().next().boundPort(ListenerName.normalised(LOOPBACK));
            return new LocalKafka(cluster, "127.0.0.1:" + bound);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Formats the node's directories. The kit's formatter prints what it writes to {@code System.out}, which
     * is this program's output: it is held back, and shown on {@code System.err} only if formatting fails.
     * Nothing else runs while the broker is formatted.
     */
    private static void format(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            cluster.format();
        } catch (Exception | Error e) {
            System.err.print(said.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(stdout);
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Per partition of the topics, the offset the next record written to it will get. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) throws Exception {
        try (Admin admin = admin()) {
            return endOffsets(admin, topics);
        }
    }

    /**
     * Deletes every record before these offsets, at once: what retention does when it removes old segments (the
     * partitions' log start moves there).
     */
    void deleteRecordsBefore(Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> delete = new HashMap<>();
        offsets.forEach((tp, offset) -> delete.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(offset)));
        try (Admin admin = admin()) {
            admin.deleteRecords(delete).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((topic, d) ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
