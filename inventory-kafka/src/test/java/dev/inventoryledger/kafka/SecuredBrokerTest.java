package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryLedger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feed works on a secured cluster with no code change: SASL settings given only through
 * {@link KafkaInventoryFeed.Builder#clientProperty(String, Object)} reach both its consumer and its dead-letter
 * producer, and wrong credentials stop it at {@link KafkaInventoryFeed#start()} with nothing applied.
 *
 * <p>The broker is a real in-process KRaft node (combined mode) whose only client listener, {@code SASL_LOOPBACK}
 * on 127.0.0.1, takes SASL_PLAINTEXT with the PLAIN mechanism and nothing else. Its users are declared in that
 * listener's own {@code sasl.jaas.config}: no JAAS file, no JVM-wide system property.
 */
class SecuredBrokerTest {
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final String LISTENER = "SASL_LOOPBACK";
    private static final String[] TOPICS = {"orders", "order_cancellations", "returns", "warehouse_receipts",
            "reservations", "inventory_dead_letters"};

    private static KafkaClusterTestKit cluster;
    private static String bootstrap;
    private static KafkaProducer<byte[], byte[]> producer; // the authenticated writer of the test records

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        // Not TestKitNodes.setBrokerSecurityProtocol(SASL_PLAINTEXT): in 4.3.1 that writes a JAAS file into the
        // JVM-wide java.security.auth.login.config (left set after close) and turns on a deny-by-default
        // authorizer. Not the kit's own EXTERNAL listener either: the kit pre-binds its listener sockets on the
        // wildcard address, whatever host `listeners` names. So the broker's client listener is our own,
        // opened by the broker itself on 127.0.0.1 (port 0, advertised with its real port). The kit's EXTERNAL
        // socket stays bound but is never served; CONTROLLER (PLAINTEXT, the quorum's) is left as the kit makes it.
        String users = "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"broker\" password=\"broker-secret\"" // the broker's own login, for inter-broker use
                + " user_broker=\"broker-secret\" user_feed=\"feed-secret\";";
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("listeners", LISTENER + "://127.0.0.1:0,CONTROLLER://localhost:0")
                .setConfigProp("listener.security.protocol.map", LISTENER + ":SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .setConfigProp("inter.broker.listener.name", LISTENER)
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN")
                .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .setConfigProp("listener.name.sasl_loopback.plain.sasl.jaas.config", users) // LISTENER, lower case
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        // cluster.bootstrapServers() and cluster.admin() know only the kit's EXTERNAL listener: ask the broker.
        bootstrap = "127.0.0.1:" + cluster.brokers().values().iterator().next()
                .boundPort(ListenerName.normalised(LISTENER));
        try (Admin admin = Admin.create(client("feed", "feed-secret"))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String t : TOPICS) {
                topics.add(new NewTopic(t, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> producerProps = client("feed", "feed-secret");
        producerProps.put("acks", "all");
        producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Client properties for a SASL_PLAINTEXT + PLAIN login to the broker. */
    private static Map<String, Object> client(String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.putAll(sasl(user, password));
        return props;
    }

    private static Map<String, String> sasl(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";");
    }

    /** A feed whose only security configuration is client properties. */
    private static KafkaInventoryFeed feed(InventoryLedger ledger, String user, String password,
                                           KafkaInventoryFeed.Start start) {
        KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(bootstrap).ledger(ledger)
                .startFrom(start);
        sasl(user, password).forEach(b::clientProperty);
        return b.build();
    }

    private static void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }

    @Test
    void authenticatedFeedAppliesRecordsAndDeadLettersThroughTheSecuredListener() throws Exception {
        InventoryLedger ledger = InventoryLedger.builder().build();
        String bad = "{\"order_id\":\"o-bad\",\"product_id\":\"p1\",\"warehouse_id\":\"w1\",\"quantity\":-1,"
                + "\"event_time\":\"2026-11-25T10:00:02Z\"}";
        try (KafkaInventoryFeed feed = feed(ledger, "feed", "feed-secret", KafkaInventoryFeed.Start.LATEST)) {
            feed.start();
            send("warehouse_receipts", "p1", "{\"receipt_id\":\"r1\",\"product_id\":\"p1\",\"warehouse_id\":\"w1\","
                    + "\"quantity\":10,\"event_time\":\"2026-11-25T10:00:00Z\"}");
            send("orders", "p1", "{\"order_id\":\"o1\",\"product_id\":\"p1\",\"warehouse_id\":\"w1\","
                    + "\"quantity\":3,\"event_time\":\"2026-11-25T10:00:01Z\"}");
            send("orders", "p1-bad", bad);

            assertThat(InProcessBroker.await(() -> ledger.available("p1", "w1") == 7, BOUND))
                    .as("available p1@w1 reaches 10 - 3 (is %d)", ledger.available("p1", "w1")).isTrue();
            // The refused record went out through the feed's own producer, so it logged in too.
            List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(1);
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(bad);
            assertThat(new String(dead.get(0).headers().lastHeader(KafkaInventoryFeed.HEADER_REASON).value(),
                    StandardCharsets.UTF_8)).contains("quantity must be > 0");
            assertThat(feed.failure()).isNull();
            assertThat(feed.isRunning()).isTrue();
        }
    }

    @Test
    void wrongPasswordFailsTheStartAndAppliesNothing() throws Exception {
        send("warehouse_receipts", "p2", "{\"receipt_id\":\"r2\",\"product_id\":\"p2\",\"warehouse_id\":\"w1\","
                + "\"quantity\":5,\"event_time\":\"2026-11-25T10:00:00Z\"}");
        InventoryLedger ledger = InventoryLedger.builder().build();
        // EARLIEST: with any read access at all, the feed would apply the receipt above.
        KafkaInventoryFeed feed = feed(ledger, "feed", "wrong-secret", KafkaInventoryFeed.Start.EARLIEST);
        try {
            // The broker answers the PLAIN handshake with an authentication error, which Kafka clients do not
            // retry: the feed's first metadata request (partitionsFor) throws it, so start() fails at once.
            long begun = System.nanoTime();
            assertThatThrownBy(feed::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("feed failed to start: ")
                    .cause().isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password");
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(BOUND);
            assertThat(feed.failure()).isInstanceOf(SaslAuthenticationException.class);
            assertThat(feed.isRunning()).as("a failed start leaves no thread behind").isFalse();
            assertThat(ledger.positions()).isEmpty();
        } finally {
            feed.close();
        }
    }

    /** The dead-letter topic from its beginning, read by an authenticated consumer, until {@code expected}. */
    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(client("feed", "feed-secret"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition("inventory_dead_letters", 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }
}
