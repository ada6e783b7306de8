package dev.inventoryledger.kafka.internal;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Every Kafka client the module makes, and the one place their properties are decided: the caller's client
 * properties (security, SASL, TLS, client id, fetch settings ...) plus the bootstrap servers, then, per
 * client, what the module needs of it.
 *
 * <ul>
 *   <li>{@link #feedConsumer()}: the feed's replica reader;</li>
 *   <li>{@link #deadLetterProducer()}: where the feed writes refused records;</li>
 *   <li>{@link #publisherProducer()}: {@code InventoryEventPublisher}'s idempotent producer;</li>
 *   <li>{@link #rebuildConsumer()}: the as-of rebuild's reader.</li>
 * </ul>
 *
 * <p>The admin client that creating the topics and checking them at start will need (DESIGN, "Operating on
 * Kafka", a later issue) belongs here too.
 *
 * <p>Immutable and thread-safe; each call makes a new client that the caller owns and closes.
 */
public final class KafkaClients {
    private final Map<String, Object> common;

    /**
     * @param bootstrapServers the brokers, or null if {@code clientProperties} names them
     * @param clientProperties the caller's properties, copied
     * @throws IllegalStateException if neither names the brokers
     */
    public KafkaClients(String bootstrapServers, Map<String, Object> clientProperties) {
        if (bootstrapServers == null && !clientProperties.containsKey("bootstrap.servers")) {
            throw new IllegalStateException("bootstrapServers must be set");
        }
        Map<String, Object> props = new HashMap<>(clientProperties);
        if (bootstrapServers != null) {
            props.put("bootstrap.servers", bootstrapServers);
        }
        this.common = Map.copyOf(props);
    }

    /** The feed's consumer: assigned every partition and positioned explicitly, never committing. */
    public KafkaConsumer<byte[], byte[]> feedConsumer() {
        Map<String, Object> props = readerProperties();
        // Freshness needs no short fetch wait: with fetch.min.bytes=1 the broker answers a waiting fetch as
        // soon as a record arrives. Metadata is refreshed often enough to see new partitions within a minute.
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        props.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
        return consumer(props);
    }

    /** The rebuild's consumer: reads the topics from their beginning, never committing. */
    public KafkaConsumer<byte[], byte[]> rebuildConsumer() {
        return consumer(readerProperties());
    }

    /** The feed's dead-letter producer: {@code acks=all}, no group id (a consumer-only setting). */
    public KafkaProducer<byte[], byte[]> deadLetterProducer() {
        Map<String, Object> props = new HashMap<>(common);
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
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        return producer(props);
    }

    /**
     * Both readers position every partition themselves: an offset that is no longer there (retention passed
     * it, history deleted meanwhile) must fail, not skip silently to an end.
     */
    private Map<String, Object> readerProperties() {
        Map<String, Object> props = new HashMap<>(common);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return props;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> props) {
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> props) {
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
