package dev.inventoryledger.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How every builder of this module reaches Kafka: the brokers, any client property, and the name of this
 * instance in client ids. Each option is checked when it is set. Package-private: its methods are documented
 * on each builder that extends it.
 *
 * @param <B> the builder itself, so that options chain
 */
abstract class ClientBuilder<B extends ClientBuilder<B>> {
    String bootstrapServers;
    final Map<String, Object> clientProperties = new HashMap<>();
    String instanceId;

    ClientBuilder() {
    }

    @SuppressWarnings("unchecked")
    final B self() {
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

    /**
     * The name of this storefront instance, stable across its restarts, in the client ids of every client this
     * builds ({@code inventory-ledger-<role>-<instance>-<n>}, e.g. {@code inventory-ledger-feed-storefront-1-1})
     * unless {@code client.id} is given. Default: the host's name.
     */
    public B instanceId(String instanceId) {
        this.instanceId = Options.requireText("instanceId", instanceId);
        return self();
    }
}
