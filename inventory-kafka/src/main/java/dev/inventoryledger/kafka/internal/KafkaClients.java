package dev.inventoryledger.kafka.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every Kafka client the module makes, and the one place their properties are decided: the caller's client
 * properties (security, SASL, TLS, client id, fetch settings ...) plus the bootstrap servers, then, per
 * client, what the module needs of it.
 *
 * <ul>
 *   <li>{@link #feedConsumer()}: the feed's replica reader;</li>
 *   <li>{@link #deadLetterProducer()}: where the feed writes refused records;</li>
 *   <li>{@link #publisherProducer()}: {@code InventoryEventPublisher}'s idempotent producer;</li>
 *   <li>{@link #rebuildConsumer()}: the as-of rebuild's reader;</li>
 *   <li>{@link #admin()}: what creates the topics and checks them at start.</li>
 * </ul>
 *
 * <p>Each client's id names the library, its role and this instance ({@code inventory-ledger-feed-<instance>-<n>},
 * {@code n} counting clients made in this JVM, so that two never share an id), unless the caller gave a
 * {@code client.id}. With a meter registry, {@link #bindMetrics} binds a client's own metrics to it.
 *
 * <p>Immutable and thread-safe; each call makes a new client that the caller owns and closes.
 */
public final class KafkaClients {
    /** Clients made in this JVM: the last part of every generated client id. */
    private static final AtomicLong MADE = new AtomicLong();

    private final Map<String, Object> common;
    private final String instanceId;
    private final MeterRegistry registry; // null without one

    /**
     * @param bootstrapServers the brokers, or null if {@code clientProperties} names them
     * @param clientProperties the caller's properties, copied
     * @param instanceId       this instance's name in client ids, or null for the host's name
     * @param registry         where the clients' own metrics go, or null
     * @throws IllegalStateException if neither names the brokers
     */
    public KafkaClients(String bootstrapServers, Map<String, Object> clientProperties, String instanceId,
                        MeterRegistry registry) {
        if (bootstrapServers == null && !clientProperties.containsKey("bootstrap.servers")) {
            throw new IllegalStateException("bootstrapServers must be set");
        }
        Map<String, Object> props = new HashMap<>(clientProperties);
        if (bootstrapServers != null) {
            props.put("bootstrap.servers", bootstrapServers);
        }
        this.common = Map.copyOf(props);
        this.instanceId = instanceId != null ? instanceId : hostName();
        this.registry = registry;
    }

    /** The brokers, as the clients are given them (for messages). */
    public String bootstrapServers() {
        return String.valueOf(common.get("bootstrap.servers"));
    }

    /** The admin client that creates and checks the topics. */
    public Admin admin() {
        Map<String, Object> props = new HashMap<>(common);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("admin"));
        return Admin.create(props);
    }

    /**
     * Binds a consumer's or producer's own metrics to the registry (Micrometer's
     * {@link KafkaClientMetrics}); close what this returns before the client. Without a registry, nothing.
     */
    public AutoCloseable bindMetrics(Object client) {
        if (registry == null) {
            return () -> { };
        }
        KafkaClientMetrics metrics;
        if (client instanceof Consumer<?, ?> c) {
            metrics = new KafkaClientMetrics(c);
        } else {
            metrics = new KafkaClientMetrics((Producer<?, ?>) client);
        }
        metrics.bindTo(registry);
        return metrics;
    }

    /** The caller's {@code client.id}, or one naming the library, the role and this instance. */
    private String clientId(String role) {
        Object given = common.get(CommonClientConfigs.CLIENT_ID_CONFIG);
        return given != null ? given.toString()
                : "inventory-ledger-" + role + "-" + instanceId + "-" + MADE.incrementAndGet();
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                host = "instance";
            }
        }
        return host;
    }

    /** The feed's consumer: assigned every partition and positioned explicitly, never committing. */
    public KafkaConsumer<byte[], byte[]> feedConsumer() {
        Map<String, Object> props = readerProperties("feed");
        // Freshness needs no short fetch wait: with fetch.min.bytes=1 the broker answers a waiting fetch as
        // soon as a record arrives. Metadata is refreshed often enough to see new partitions within a minute.
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        props.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
        return consumer(props);
    }

    /** The rebuild's consumer: reads the topics from their beginning, never committing. */
    public KafkaConsumer<byte[], byte[]> rebuildConsumer() {
        return consumer(readerProperties("rebuild"));
    }

    /** The feed's dead-letter producer: {@code acks=all}, no group id (a consumer-only setting). */
    public KafkaProducer<byte[], byte[]> deadLetterProducer() {
        Map<String, Object> props = new HashMap<>(common);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("dead-letters"));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return producer(props);
    }

    /**
     * The publisher's producer: idempotent with {@code acks=all} whatever the caller said, {@code linger.ms}
     * 1 unless given (other instances wait for these records).
     */
    public KafkaProducer<byte[], byte[]> publisherProducer() {
        Map<String, Object> props = new HashMap<>(common);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("publisher"));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        return producer(props);
    }

    /**
     * The snapshot writer's producer: idempotent, {@code acks=all} (a manifest is written only after every chunk
     * is acknowledged), lz4-compressed unless given (snapshots are numbers and repeated ids).
     */
    public KafkaProducer<byte[], byte[]> snapshotProducer() {
        Map<String, Object> props = new HashMap<>(common);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("snapshots"));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        return producer(props);
    }

    /** The reader of the snapshot topic at start: from its beginning, never committing. */
    public KafkaConsumer<byte[], byte[]> snapshotConsumer() {
        Map<String, Object> props = readerProperties("snapshots");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        return consumer(props);
    }

    /** This instance's name, as the client ids carry it. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * A cluster's producer of decisions and claims: as the publisher's, but {@code linger.ms} 0 unless given (a
     * requester waits for every decision).
     */
    public KafkaProducer<byte[], byte[]> clusterProducer() {
        Map<String, Object> props = new HashMap<>(common);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("cluster"));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        return producer(props);
    }

    /**
     * A cluster owner's producer of one partition's decisions in transactions ({@code Fencing.TRANSACTIONS}):
     * the cluster producer's settings, this {@code transactional.id}, and {@code transaction.timeout.ms} 10 s
     * unless given (how long a frozen owner's open transaction can hold back {@code read_committed} readers
     * when no successor takes its partition).
     */
    public KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId, int partition) {
        Map<String, Object> props = new HashMap<>(common);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("cluster-transactions-" + partition));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        return producer(props);
    }

    /** A cluster's reader of the answers on the requests topic ({@code Fencing.TRANSACTIONS}): committed only. */
    public KafkaConsumer<byte[], byte[]> answersConsumer() {
        Map<String, Object> props = readerProperties("cluster-answers");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return consumer(props);
    }

    /**
     * A cluster's member of the owners' group, reading requests: the classic protocol (its session timeout can
     * go down to the broker's 6 s minimum; KIP-848's cannot go below 45 s), 6 s unless given, cooperative
     * assignment (a rebalance moves only the partitions that change hands), no offsets ever committed (a new
     * owner starts at the end; requesters resend), no topic made by reading it.
     */
    public KafkaConsumer<byte[], byte[]> clusterConsumer(String groupId) {
        Map<String, Object> props = new HashMap<>(common);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId("cluster"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.putIfAbsent(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // requests are not transactional: they must not wait behind an owner's open transaction of answers
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return consumer(props);
    }

    /**
     * Both readers position every partition themselves: an offset that is no longer there (retention passed
     * it, history deleted meanwhile) must fail, not skip silently to an end. They read {@code read_committed}
     * unless told otherwise.
     */
    private Map<String, Object> readerProperties(String role) {
        Map<String, Object> props = new HashMap<>(common);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId(role));
        // a missing topic must be reported, never made by reading it (brokers may allow auto-creation)
        props.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // an aborted transaction (a fenced owner's decisions, a shop's own aborted writes) never happened
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> props) {
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> props) {
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
