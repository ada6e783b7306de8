package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.TopicCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every topic the module reads or writes, created on request with the partition count, replication factor and
 * retention the caller gives; topics that exist are left alone (their settings are the operator's).
 *
 * <table>
 *   <caption>The topics (default names), their keys and who writes them</caption>
 *   <tr><th>topic</th><th>key</th><th>written by</th></tr>
 *   <tr><td>{@code orders}, {@code order_cancellations}, {@code returns}, {@code warehouse_receipts},
 *       {@code reservations}</td><td>{@code product_id}</td><td>the shop's systems, {@link InventoryEventPublisher},
 *       the cluster's owners</td></tr>
 *   <tr><td>{@code inventory_dead_letters}</td><td>the refused record's own</td><td>{@link KafkaInventoryFeed}</td></tr>
 *   <tr><td>{@code low_stock_alerts}</td><td>{@code product_id}</td><td>{@link InventoryEventPublisher#alertSink()}</td></tr>
 *   <tr><td>{@code reservation_requests}</td><td>{@code product_id}</td><td>{@code InventoryCluster}</td></tr>
 * </table>
 *
 * <p>The topics keyed by product (the five sources and the requests) must have the same partition count: one
 * product's events and requests land on the same partition number. {@link #create()} reports any that do not
 * ({@link Report#problems()}). Retention must be long enough for a restart from the oldest checkpoint kept, and
 * for as-of rebuilds, which read the whole history: a feed resumes at its stored offsets and fails, rather than
 * skips, if they are gone.
 *
 * <pre>{@code
 * InventoryTopics.Report r = InventoryTopics.builder().bootstrapServers("kafka:9092")
 *         .partitions(12).replicationFactor((short) 3).retention(Duration.ofDays(90))
 *         .build().create();
 * if (!r.problems().isEmpty()) throw new IllegalStateException(r.problems().toString());
 * }</pre>
 *
 * <p>Thread-safe; each call makes its own admin client.
 */
public final class InventoryTopics {
    /** The snapshot topic's default name. */
    public static final String DEFAULT_SNAPSHOT_TOPIC = "inventory_snapshots";

    /**
     * The snapshot topic's settings when created: compacted, rolled every 10 minutes and cleaned within 15, so
     * that it holds about one whole snapshot per partition and writer plus those of the last quarter hour, and a
     * new instance reads little more than the newest.
     */
    static final Map<String, String> SNAPSHOT_TOPIC_CONFIG = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.SEGMENT_MS_CONFIG, "600000",
            TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "900000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1",
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 << 20));

    private final KafkaClients clients;
    private final String snapshotTopic;
    private final Map<String, Boolean> keyedByProduct; // every topic, in order; true for the product-keyed ones
    private final int partitions;
    private final short replicationFactor;
    private final Duration retention; // null: forever
    private final Duration timeout;

    private InventoryTopics(Builder b) {
        this.clients = new KafkaClients(b.bootstrapServers, b.clientProperties, b.instanceId, null);
        this.keyedByProduct = new LinkedHashMap<>();
        b.sources.values().forEach(t -> keyedByProduct.put(t, true));
        keyedByProduct.put(b.requestsTopic, true);
        keyedByProduct.putIfAbsent(b.deadLetterTopic, false);
        keyedByProduct.putIfAbsent(b.alertTopic, false);
        keyedByProduct.putIfAbsent(b.snapshotTopic, false);
        this.snapshotTopic = b.snapshotTopic;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.retention = b.retention;
        this.timeout = b.timeout;
    }

    /** A builder; partitions, replication factor and retention must be given. */
    public static Builder builder() {
        return new Builder();
    }

    /** What {@link #create()} found and did. */
    public record Report(List<String> created, List<String> existing, Map<String, Integer> partitionCounts,
                         List<String> problems) {
        /** Copies the lists and map. */
        public Report {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
            partitionCounts = Map.copyOf(partitionCounts);
            problems = List.copyOf(problems);
        }
    }

    /** Every topic, sources first. */
    public List<String> names() {
        return List.copyOf(keyedByProduct.keySet());
    }

    /**
     * Creates the topics that do not exist and leaves the others alone, and returns once every partition of
     * those it created has a leader (a producer writing to one sooner can lose its first batch: KAFKA-15591). A
     * topic another process creates meanwhile counts as existing.
     *
     * @throws IllegalStateException if the brokers did not answer within the timeout, or refused a creation
     */
    public Report create() {
        try (Admin admin = clients.admin()) {
            Map<String, Integer> counts = new TreeMap<>(TopicCheck.partitionCounts(admin, names(), timeout,
                    clients.bootstrapServers()));
            List<String> existing = new ArrayList<>(counts.keySet());
            List<String> created = new ArrayList<>();
            for (String topic : names()) {
                if (!counts.containsKey(topic) && createOne(admin, topic)) {
                    created.add(topic);
                } else if (!counts.containsKey(topic)) {
                    existing.add(topic);
                }
            }
            TopicCheck.awaitLeaders(admin, created, timeout, clients.bootstrapServers()); // described once led
            counts.putAll(TopicCheck.requireAll(admin, names(), timeout, clients.bootstrapServers(), "InventoryTopics"));
            return new Report(created, existing, counts, problems(counts));
        }
    }

    /** Creates one topic; false if it exists already (made meanwhile). */
    private boolean createOne(Admin admin, String topic) {
        Map<String, String> config = topic.equals(snapshotTopic) ? SNAPSHOT_TOPIC_CONFIG
                : Map.of(TopicConfig.RETENTION_MS_CONFIG, retention == null ? "-1" : Long.toString(retention.toMillis()));
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(config))).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("could not create topic " + topic + " (" + partitions + " partitions, "
                    + "replication factor " + replicationFactor + "): " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no broker at " + clients.bootstrapServers() + " created topic " + topic
                    + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
    }

    /** The product-keyed topics whose partition counts differ from each other. */
    private List<String> problems(Map<String, Integer> counts) {
        Map<String, Integer> keyed = new LinkedHashMap<>();
        keyedByProduct.forEach((topic, byProduct) -> {
            if (byProduct) {
                keyed.put(topic, counts.get(topic));
            }
        });
        if (keyed.values().stream().distinct().count() <= 1) {
            return List.of();
        }
        return List.of("the topics keyed by product must have the same partition count, so that a product's "
                + "events and requests land on the same partition number, but they have " + keyed
                + " (never alter a partition count in place: create topics with one count and move to them, README "
                + "\"History is finite\")");
    }

    /** Configures {@link InventoryTopics}; each option is checked when set. */
    public static final class Builder extends ClientBuilder<Builder> {
        private final Map<EventKind, String> sources = new EnumMap<>(EventKind.class);
        private String deadLetterTopic = "inventory_dead_letters";
        private String alertTopic = "low_stock_alerts";
        private String requestsTopic = "reservation_requests";
        private String snapshotTopic = DEFAULT_SNAPSHOT_TOPIC;
        private int partitions;
        private short replicationFactor;
        private Duration retention;
        private boolean retentionSet;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
            for (EventKind k : EventKind.values()) {
                if (k != EventKind.RESERVATION_RELEASED) {
                    sources.put(k, k.defaultTopic());
                }
            }
        }

        /** Partitions of every topic created (existing ones keep theirs). Required. */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1 but was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** Replication factor of every topic created (3 in production; 1 for a single broker). Required. */
        public Builder replicationFactor(short replicationFactor) {
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replicationFactor must be >= 1 but was " + replicationFactor);
            }
            this.replicationFactor = replicationFactor;
            return this;
        }

        /**
         * How long the topics created keep records ({@code retention.ms}); null keeps them forever. Required:
         * long enough for a restart from the oldest checkpoint kept, and for as-of rebuilds.
         */
        public Builder retention(Duration retention) {
            if (retention != null) {
                Options.requirePositive("retention", retention);
            }
            this.retention = retention;
            this.retentionSet = true;
            return this;
        }

        /** Renames a source topic, as on the feed (both reservation kinds share one topic: name either). */
        public Builder topic(EventKind kind, String topic) {
            Objects.requireNonNull(kind, "kind");
            sources.put(kind.isReservation() ? EventKind.RESERVATION_HELD : kind, Options.requireText("topic", topic));
            return this;
        }

        /** The dead-letter topic's name. Default {@code inventory_dead_letters}. */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = Options.requireText("deadLetterTopic", topic);
            return this;
        }

        /** The alert topic's name. Default {@code low_stock_alerts}. */
        public Builder alertTopic(String topic) {
            this.alertTopic = Options.requireText("alertTopic", topic);
            return this;
        }

        /** The reservation requests' topic ({@code InventoryCluster}). Default {@code reservation_requests}. */
        public Builder requestsTopic(String topic) {
            this.requestsTopic = Options.requireText("requestsTopic", topic);
            return this;
        }

        /**
         * The shared snapshots' topic: created compacted (its retention is the compaction's, not
         * {@link #retention(Duration)}), with as many partitions as the others. Default {@code inventory_snapshots}.
         */
        public Builder snapshotTopic(String topic) {
            this.snapshotTopic = Options.requireText("snapshotTopic", topic);
            return this;
        }

        /** How long to wait for the brokers' answers. Default 30 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Options.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * The topics, not yet created.
         *
         * @throws IllegalStateException if the brokers, partitions, replication factor or retention are not set
         */
        public InventoryTopics build() {
            if (partitions == 0 || replicationFactor == 0 || !retentionSet) {
                throw new IllegalStateException("partitions, replicationFactor and retention must be set, but were "
                        + partitions + ", " + replicationFactor + " and " + (retentionSet ? retention : "unset"));
            }
            return new InventoryTopics(this);
        }
    }
}
