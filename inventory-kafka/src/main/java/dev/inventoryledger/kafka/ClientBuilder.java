package dev.inventoryledger.kafka;

import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The options every builder of this module takes: the brokers, any Kafka client property, how long
 * {@code close()} waits, and where meters go. Each option is checked when it is set. Package-private: its
 * methods are documented on each builder that extends it.
 *
 * @param <B> the builder itself, so that options chain
 */
abstract class ClientBuilder<B extends ClientBuilder<B>> {
    String bootstrapServers;
    final Map<String, Object> clientProperties = new HashMap<>();
    Duration closeTimeout = Duration.ofSeconds(10);
    MeterRegistry registry;

    ClientBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The brokers, e.g. {@code kafka-1:9092,kafka-2:9092}. Required (or as a client property). */
    public B bootstrapServers(String servers) {
        this.bootstrapServers = Options.requireText("bootstrapServers", servers);
        return self();
    }

    /**
     * Any Kafka client property, passed unchanged to every client this builds ({@code security.protocol},
     * {@code sasl.*}, {@code ssl.*}, {@code client.id}, fetch and batching settings ...), except the few the
     * built class's comment says it always sets.
     */
    public B clientProperty(String name, Object value) {
        clientProperties.put(Options.requireText("name", name), Objects.requireNonNull(value, "value"));
        return self();
    }

    /** How long {@code close()} waits for the work in hand (a feed's thread, a publisher's buffer). Default 10 s. */
    public B closeTimeout(Duration timeout) {
        this.closeTimeout = Options.requirePositive("closeTimeout", timeout);
        return self();
    }

    /** Where the meters the built class's comment lists go. Default: none. */
    public B meterRegistry(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return self();
    }
}
