package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.LocalEventListener;
import dev.inventoryledger.core.StockAlert;
import dev.inventoryledger.core.StockAlertListener;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.TopicCheck;
import dev.inventoryledger.kafka.internal.publish.SendQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes what a storefront instance does to the topics {@link KafkaInventoryFeed} reads, in the same
 * JSON, so that every other instance's ledger learns of it within milliseconds, without ever making a checkout
 * wait for Kafka.
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
 *   <li>{@link #start()} checks that every topic it writes exists, naming each that does not, and learns their
 *       partitions.</li>
 * </ul>
 *
 * <p><b>Nothing waits for Kafka but the publisher's own thread.</b> {@link #publish}, the listener and the
 * alert sink append to a bounded in-memory queue ({@link Builder#queueCapacity(int) queueCapacity}, 10,000
 * records by default) and return: a lock held for a few instructions, whatever the brokers do. One thread
 * ({@code inventory-ledger-publisher}) hands the records to the producer, which may block that thread for up to
 * {@code max.block.ms} (a topic whose metadata it lacks) but no checkout and no feed. When the queue is full
 * the record is dropped; when the producer cannot write it (past {@code delivery.timeout.ms}, two minutes unless
 * set: a broker restart loses nothing) it fails. Both are counted ({@code inventory.publisher.records{outcome=
 * dropped|failed}}; the others {@code outcome=sent}), logged, kept in {@link #failure()} and complete the
 * record's future exceptionally: publication is at most once past that point, and a crash of the process
 * loses what was still queued or buffered. The ledger's own counts are never affected; other instances would
 * miss the record. {@code inventory.publisher.queue} is how many records wait; with a meter registry the
 * producer's own metrics are bound too. {@link #flush()} waits until everything published so far is
 * acknowledged, failed or dropped.
 *
 * <pre>{@code
 * InventoryEventPublisher publisher = InventoryEventPublisher.builder().bootstrapServers("kafka:9092").build();
 * publisher.start();                             // the topics exist (else: which are missing), metadata known
 * ledger.addLocalEventListener(publisher);      // publish what this instance reserves, confirms, releases
 * ledger.addListener(publisher.alertSink());     // and, on one instance, the stock alerts
 * }</pre>
 *
 * <p>It writes no lapses: every ledger lapses a hold at its {@code expires_at}, but a reader of the topics that
 * sums held minus released (the article's SQL) sees a lapsed hold as held until someone writes its
 * {@code released}. {@code InventoryCluster}'s owners do; in replica mode, release holds explicitly.
 *
 * <p>In replica mode every instance sees every transition; publish alerts from one instance, or let the
 * subscriber drop copies by {@code alert_id}, which is the same wherever the transition is seen.
 *
 * <p>Thread-safe.
 */
public final class InventoryEventPublisher implements LocalEventListener, AutoCloseable {
    private static final Duration START_CHECK = Duration.ofSeconds(30);

    private final Map<EventKind, String> topics;
    private final String alertTopic;
    private final Duration closeTimeout;
    private final KafkaClients clients;
    private final SendQueue queue;
    private final StockAlertListener alertSink = this::publish;

    private InventoryEventPublisher(Builder b) {
        this.clients = new KafkaClients(b.bootstrapServers, b.clientProperties, b.instanceId, b.registry);
        this.topics = new EnumMap<>(b.topics);
        this.alertTopic = b.alertTopic;
        this.closeTimeout = b.closeTimeout;
        this.queue = new SendQueue(clients, b.queueCapacity, b.registry);
    }

    /** A builder with the defaults documented on each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks that every topic the publisher writes exists (the five event topics and the alert topic), and
     * learns their partitions so that the first records to them need not wait for metadata. Optional but
     * recommended at start-up: without it, a missing topic shows only as failed records.
     *
     * @throws IllegalStateException naming each missing topic and the call that creates it, or if no broker
     *                               answered within 30 s
     */
    public void start() {
        Set<String> all = new LinkedHashSet<>(topics.values());
        all.add(alertTopic);
        try (Admin admin = clients.admin()) {
            TopicCheck.requireAll(admin, all, START_CHECK, clients.bootstrapServers(), "the publisher");
        }
        queue.knowTopics(all);
    }

    /**
     * Publishes one event to its kind's topic, keyed by its product, without waiting (see the class comment).
     *
     * @return completes when the broker has the record; exceptionally if it was dropped or could not be written
     */
    public CompletableFuture<RecordMetadata> publish(InventoryEvent event) {
        Objects.requireNonNull(event, "event");
        String topic = topics.get(event.kind().isReservation() ? EventKind.RESERVATION_HELD : event.kind());
        return send(topic, event.productId(), EventCodec.encode(event));
    }

    /** Publishes one alert to the alert topic, keyed by its product, without waiting. */
    public CompletableFuture<RecordMetadata> publish(StockAlert alert) {
        Objects.requireNonNull(alert, "alert");
        return send(alertTopic, alert.productId(), EventCodec.encode(alert));
    }

    /** Publishes the events of one in-process operation (see {@link LocalEventListener}), without waiting. */
    @Override
    public void onLocalEvents(List<InventoryEvent> events) {
        for (InventoryEvent e : events) {
            publish(e); // a failure is counted and kept by the queue
        }
    }

    /** A listener that publishes every stock transition it is told of (see the class comment). */
    public StockAlertListener alertSink() {
        return alertSink;
    }

    /** Waits until every record published so far is acknowledged, has failed or was dropped. */
    public void flush() {
        queue.flush();
    }

    /** The last record that could not be written or was dropped, with why; null if none. */
    public Throwable failure() {
        return queue.failure();
    }

    /** Records published and not yet handed to the producer. */
    public int queued() {
        return queue.waiting();
    }

    /** Hands over what is queued and sends what is buffered, within the close timeout; then closes. */
    @Override
    public void close() {
        queue.close(closeTimeout);
    }

    private CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value) {
        return queue.offer(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Configures an {@link InventoryEventPublisher}; each option is checked when set. */
    public static final class Builder extends ServiceBuilder<Builder> {
        private final Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        private String alertTopic = "low_stock_alerts";
        private int queueCapacity = 10_000;

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

        /**
         * How many records may wait for the producer; beyond it, records are dropped (counted and kept in
         * {@link #failure()}) rather than make anyone wait. Default 10,000.
         */
        public Builder queueCapacity(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1 but was " + records);
            }
            this.queueCapacity = records;
            return this;
        }

        /** A publisher, its thread started; {@link #start()} checks the topics. */
        public InventoryEventPublisher build() {
            return new InventoryEventPublisher(this);
        }
    }
}
