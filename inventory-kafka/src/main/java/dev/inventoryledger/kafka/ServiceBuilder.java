package dev.inventoryledger.kafka;

import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Objects;

/**
 * The options of a builder whose product runs in the background (a feed, a publisher): besides how it reaches
 * Kafka, how long {@code close()} waits and where its meters go. Package-private: its methods are documented
 * on each builder that extends it.
 *
 * @param <B> the builder itself, so that options chain
 */
abstract class ServiceBuilder<B extends ServiceBuilder<B>> extends ClientBuilder<B> {
    Duration closeTimeout = Duration.ofSeconds(10);
    MeterRegistry registry;

    ServiceBuilder() {
    }

    /** How long {@code close()} waits for the work in hand (a feed's thread, a publisher's queue). Default 10 s. */
    public B closeTimeout(Duration timeout) {
        this.closeTimeout = Options.requirePositive("closeTimeout", timeout);
        return self();
    }

    /**
     * Where the meters the built class's comment lists go, with the Kafka clients' own metrics (Micrometer's
     * {@code KafkaClientMetrics}, tagged with the client id). Default: none.
     */
    public B meterRegistry(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return self();
    }
}
