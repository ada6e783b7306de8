package dev.inventoryledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.testkit.ArticleSql;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A reader of the topics that knows only the article, as RisingWave, Flink or a Kafka Connect sink would read
 * them: {@code isolation.level=read_committed}, the JSON values parsed by field name (with Jackson's tree, not
 * the library's codec), no headers, duplicates dropped by identity as the README's "Idempotency" defines it
 * ({@code event_id} when present, else kind, id, product and warehouse; the first stands), and the article's two
 * views ({@code live_inventory}, {@code live_inventory_with_holds}) run on H2 over what is left. Records it
 * cannot parse (a null value) are counted and skipped, as a lenient reader would; a strict one fails on them.
 */
final class ArticleReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger DATABASES = new AtomicInteger();

    /** One record read: where it is, its headers' verdict (for the tests' comparisons) and the event it says. */
    record Read(String topic, int partition, long offset, org.apache.kafka.common.header.Headers headers,
                InventoryEvent event) {
    }

    /** The article's view of a position. */
    record Row(long available, long held, long sellable) {
    }

    private final List<Read> records = new ArrayList<>();
    private int unparseable;

    private ArticleReader() {
    }

    /** Reads every partition of the topics, committed records only, from the beginning to the end. */
    static ArticleReader read(String bootstrapServers, Map<EventKind, String> topics) {
        ArticleReader reader = new ArticleReader();
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrapServers,
                "isolation.level", "read_committed", "enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (EventKind kind : List.of(EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED,
                    EventKind.RETURN_RECEIVED, EventKind.STOCK_RECEIVED, EventKind.RESERVATION_HELD)) {
                String topic = topics.get(kind);
                List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(30)); // the stable offsets
                while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        InventoryEvent e = parse(kind, r.value());
                        if (e == null) {
                            reader.unparseable++;
                        } else {
                            reader.records.add(new Read(r.topic(), r.partition(), r.offset(), r.headers(), e));
                        }
                    }
                }
            }
        }
        return reader;
    }

    /** Records with a value the article's JSON sources cannot take (claims, answers with no event). */
    int unparseable() {
        return unparseable;
    }

    List<Read> records() {
        return records;
    }

    /** The records that {@code keep} keeps, duplicates dropped by identity: the first stands. */
    List<Read> standing(Predicate<Read> keep) {
        Set<List<Object>> seen = new HashSet<>();
        List<Read> out = new ArrayList<>();
        for (Read r : records) {
            if (keep.test(r) && seen.add(identity(r.event()))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The events, duplicates dropped by identity: the first stands. */
    static List<InventoryEvent> standing(List<InventoryEvent> events) {
        Set<List<Object>> seen = new HashSet<>();
        return events.stream().filter(e -> seen.add(identity(e))).toList();
    }

    /** An event's identity as the README's guarantees define it. */
    static List<Object> identity(InventoryEvent e) {
        return e.eventId() != null ? List.of("event_id", e.productId(), e.eventId())
                : List.of(e.kind(), e.id(), e.productId(), e.warehouseId());
    }

    /** What one event adds to its position's row in the article's sums. */
    static Row effect(InventoryEvent e) {
        long q = e.quantity();
        return switch (e.kind()) {
            case ORDER_PLACED -> new Row(-q, 0, -q);
            case RESERVATION_HELD -> new Row(0, q, -q);
            case RESERVATION_RELEASED -> new Row(0, -q, q);
            default -> new Row(q, 0, q);
        };
    }

    static Row plus(Row a, Row b, int sign) {
        return new Row(a.available() + sign * b.available(), a.held() + sign * b.held(),
                a.sellable() + sign * b.sellable());
    }

    /** The article's {@code live_inventory_with_holds} over the records {@code keep} keeps, by position. */
    Map<String, Row> views(Predicate<Read> keep) {
        try (Connection db = DriverManager.getConnection("jdbc:h2:mem:article" + DATABASES.incrementAndGet())) {
            ArticleSql.createSourceTables(db);
            ArticleSql.createViews(db);
            return views(db, standing(keep).stream().map(Read::event).toList(), Instant.now());
        } catch (SQLException e) {
            throw new AssertionError("the article's SQL on H2", e);
        }
    }

    /**
     * The article's {@code live_inventory_with_holds} over events that stand (duplicates already dropped), on a
     * database that has the source tables and the views, by position.
     */
    static Map<String, Row> views(Connection db, List<InventoryEvent> standing, Instant cut) throws SQLException {
        ArticleSql.fillSourceTables(db, standing, Map.of(), cut);
        Map<String, Row> rows = new TreeMap<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id,"
                + " available_quantity, held_quantity, sellable_quantity FROM live_inventory_with_holds")) {
            while (rs.next()) {
                rows.put(rs.getString(1) + "@" + rs.getString(2), new Row(rs.getLong(3), rs.getLong(4),
                        rs.getLong(5)));
            }
        }
        return rows;
    }

    /** The event a JSON value says, read by the article's field names; null if it is not a JSON object. */
    private static InventoryEvent parse(EventKind topicKind, byte[] value) {
        if (value == null) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.isObject()) {
            return null;
        }
        EventKind kind = topicKind;
        if (topicKind == EventKind.RESERVATION_HELD) {
            kind = "released".equals(n.path("status").asText()) ? EventKind.RESERVATION_RELEASED
                    : EventKind.RESERVATION_HELD;
        }
        String id = n.path(kind.idField()).asText(null);
        InventoryEvent e = new InventoryEvent(kind, id, n.path("product_id").asText(null),
                n.path("warehouse_id").asText(null), n.path("quantity").asLong(),
                Instant.parse(n.path("event_time").asText()), n.path("event_id").asText(null),
                kind == EventKind.ORDER_PLACED ? n.path("reservation_id").asText(null) : null, null);
        return e;
    }
}
