package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Five fresh topics (plus dead-letter and alert topics) for one test, and feeds and publishers using them. */
final class TestTopics {
    private static final AtomicInteger RUN = new AtomicInteger();

    final InProcessBroker broker;
    final String orders, cancellations, returns, receipts, reservations, deadLetters, alerts, snapshots;

    TestTopics(InProcessBroker broker) throws Exception {
        this(broker, 2);
    }

    /** As {@link #TestTopics(InProcessBroker)} with this many partitions per topic. */
    TestTopics(InProcessBroker broker, int partitions) throws Exception {
        this.broker = broker;
        String p = "t" + RUN.incrementAndGet() + "_";
        orders = p + "orders";
        cancellations = p + "order_cancellations";
        returns = p + "returns";
        receipts = p + "warehouse_receipts";
        reservations = p + "reservations";
        deadLetters = p + "dead_letters";
        alerts = p + "low_stock_alerts";
        snapshots = p + "snapshots";
        broker.createTopics(partitions, orders, cancellations, returns, receipts, reservations, deadLetters, alerts,
                snapshots);
    }

    /** The event topics: orders, cancellations, returns, receipts, reservations. */
    List<String> eventTopics() {
        return List.of(orders, cancellations, returns, receipts, reservations);
    }

    /** The topic of a kind's events (both reservation kinds share one). */
    String of(EventKind kind) {
        return switch (kind) {
            case ORDER_PLACED -> orders;
            case ORDER_CANCELLED -> cancellations;
            case RETURN_RECEIVED -> returns;
            case STOCK_RECEIVED -> receipts;
            case RESERVATION_HELD, RESERVATION_RELEASED -> reservations;
        };
    }

    /** A feed reading every event topic, refused records to the dead-letter topic. */
    KafkaInventoryFeed.Builder feed(InventoryLedger ledger) {
        KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(broker.bootstrapServers())
                .ledger(ledger).deadLetterTopic(deadLetters).snapshotTopic(snapshots);
        for (EventKind kind : EventKind.values()) {
            b.topic(kind, of(kind));
        }
        return b;
    }

    /** A publisher writing to every event topic, alerts to the alert topic. */
    InventoryEventPublisher.Builder publisher() {
        InventoryEventPublisher.Builder b = InventoryEventPublisher.builder()
                .bootstrapServers(broker.bootstrapServers()).alertTopic(alerts);
        for (EventKind kind : EventKind.values()) {
            b.topic(kind, of(kind));
        }
        return b;
    }

    /** A record of the article's JSON with an event time of 2026-11-25T10:00:00Z. */
    static String json(String idField, String id, String product, String warehouse, Object quantity, String extra) {
        return "{\"" + idField + "\":\"" + id + "\",\"product_id\":\"" + product + "\",\"warehouse_id\":\""
                + warehouse + "\",\"quantity\":" + quantity + ",\"event_time\":\"2026-11-25T10:00:00Z\"" + extra + "}";
    }
}
