package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.LocalEventListener;
import dev.inventoryledger.core.StockAlert;
import dev.inventoryledger.core.StockAlertListener;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes what a storefront instance does to the topics {@link KafkaInventoryFeed} reads, in the same
 * JSON, so that every other instance's ledger learns of it within milliseconds.
 *
 * <ul>
 *   <li>An idempotent producer ({@code enable.idempotence=true}, {@code acks=all}: these two cannot be
 *       overridden); records keyed by {@code product_id}, so one product's events keep their order within
 *       a partition.</li>
 *   <li>As a {@link LocalEventListener} of a ledger, it publishes the events that {@code tryReserve},
 *       {@code confirm}, {@code release} and {@code extend} stand for. The ledger has registered their
 *       identities, so when the same instance's feed reads them back, each echo counts as a duplicate:
 *       nothing is counted twice.</li>
 *   <li>{@link #alertSink()} is a {@link StockAlertListener} that publishes each transition (low stock, out of
 *       stock, back in stock, oversold) once, as JSON, to {@code low_stock_alerts} by default.</li>
 * </ul>
 *
 * <p>Sends are asynchronous: once the producer knows a topic's partitions, the checkout path does not
 * wait for the broker. The first send to each topic, and any send while the broker is unreachable and the
 * producer has lost its metadata, blocks for up to {@code max.block.ms} (60 s unless set: lower it for a
 * checkout path, e.g. 1 s, and publish something at start-up to warm the metadata). The producer retries
 * until {@code delivery.timeout.ms} (two minutes unless set), so a broker restart loses nothing; a record
 * that still cannot be written is counted ({@code inventory.publisher.records{outcome=failed}}; the others
 * {@code outcome=sent}, with a {@link Builder#meterRegistry meter registry}) and kept in
 * {@link #failure()}, and is not sent again: publication is at most once past that timeout, and a crash of
 * the process loses what was still buffered. The ledger's own counts are never affected; other instances
 * would miss the record. {@link #flush()} waits until everything sent so far is acknowledged or failed.
 *
 * <pre>{@code
 * InventoryEventPublisher publisher = InventoryEventPublisher.builder().bootstrapServers("kafka:9092").build();
 * ledger.addLocalEventListener(publisher);      // publish what this instance reserves, confirms, releases
 * ledger.addListener(publisher.alertSink());     // and, on one instance, the stock alerts
 * }</pre>
 *
 * <p>In replica mode every instance sees every transition; publish alerts from one instance, or let the
 * subscriber drop copies by {@code alert_id}, which is the same wherever the transition is seen.
 *
 * <p>Thread-safe.
 */
public final class InventoryEventPublisher implements LocalEventListener, AutoCloseable {
    private final Map<EventKind, String> topics;
    private final String alertTopic;
    private final Duration closeTimeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Counter sent, failed; // null without a registry
    private final StockAlertListener alertSink = this::publish;
    private volatile Throwable failure;

    private InventoryEventPublisher(Builder b) {
        KafkaClients clients = new KafkaClients(b.bootstrapServers, b.clientProperties);
        this.topics = new EnumMap<>(b.topics);
        this.alertTopic = b.alertTopic;
        this.closeTimeout = b.closeTimeout;
        this.producer = clients.publisherProducer();
        if (b.registry == null) {
            sent = failed = null;
        } else {
            sent = counter(b.registry, "sent");
            failed = counter(b.registry, "failed");
        }
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("inventory.publisher.records").tag("outcome", outcome)
                .description("Records the publisher wrote to Kafka, by outcome").register(registry);
    }

    /** A builder with the defaults documented on each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes one event to its kind's topic, keyed by its product. Does not wait for the broker, except
     * as the class comment says (no metadata yet, or a full buffer: up to {@code max.block.ms}).
     *
     * @return completes when the broker has the record, or exceptionally if it could not be written
     */
    public CompletableFuture<RecordMetadata> publish(InventoryEvent event) {
        Objects.requireNonNull(event, "event");
        String topic = topics.get(event.kind().isReservation() ? EventKind.RESERVATION_HELD : event.kind());
        return send(topic, event.productId(), EventCodec.encode(event));
    }

    /** Publishes one alert to the alert topic, keyed by its product. */
    public CompletableFuture<RecordMetadata> publish(StockAlert alert) {
        Objects.requireNonNull(alert, "alert");
        return send(alertTopic, alert.productId(), EventCodec.encode(alert));
    }

    /** Publishes the events of one in-process operation (see {@link LocalEventListener}). */
    @Override
    public void onLocalEvents(List<InventoryEvent> events) {
        for (InventoryEvent e : events) {
            publish(e); // a failure is counted and kept by send()
        }
    }

    /** A listener that publishes every stock transition it is told of (see the class comment). */
    public StockAlertListener alertSink() {
        return alertSink;
    }

    /** Waits until every record sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
    }

    /** The last record that could not be written, or null if none failed. */
    public Throwable failure() {
        return failure;
    }

    /** Sends what is buffered (within the close timeout) and closes the producer. */
    @Override
    public void close() {
        producer.close(closeTimeout);
    }

    private CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), (metadata, e) -> {
                if (e == null) {
                    count(sent);
                    done.complete(metadata);
                } else {
                    fail(e);
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) { // closed, buffer full past max.block.ms, record too large ...
            fail(e);
            done.completeExceptionally(e);
        }
        return done;
    }

    private void fail(Throwable e) {
        failure = e;
        count(failed);
    }

    private static void count(Counter c) {
        if (c != null) {
            c.increment();
        }
    }

    /** Configures an {@link InventoryEventPublisher}; each option is checked when set. */
    public static final class Builder extends ClientBuilder<Builder> {
        private final Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        private String alertTopic = "low_stock_alerts";

        private Builder() {
            for (EventKind k : EventKind.values()) {
                topics.put(k, k.defaultTopic());
            }
        }

        /**
         * Renames the topic of a kind (both reservation kinds share one topic: name either), as on the feed.
         * Defaults: the article's names, see {@link EventKind#defaultTopic()}.
         */
        public Builder topic(EventKind kind, String topic) {
            Objects.requireNonNull(kind, "kind");
            String name = Options.requireText("topic", topic);
            if (kind.isReservation()) {
                topics.put(EventKind.RESERVATION_HELD, name);
                topics.put(EventKind.RESERVATION_RELEASED, name);
            } else {
                topics.put(kind, name);
            }
            return this;
        }

        /** Where {@link #alertSink()} publishes. Default {@code low_stock_alerts}. */
        public Builder alertTopic(String topic) {
            this.alertTopic = Options.requireText("alertTopic", topic);
            return this;
        }

        /** A publisher, connected lazily (the producer fetches metadata on the first send). */
        public InventoryEventPublisher build() {
            return new InventoryEventPublisher(this);
        }
    }
}
