package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;

import java.util.concurrent.atomic.AtomicInteger;

/** Five fresh topics (plus dead-letter and alert topics) for one test, and feeds and publishers using them. */
final class TestTopics {
    private static final AtomicInteger RUN = new AtomicInteger();

    final InProcessBroker broker;
    final String orders, cancellations, returns, receipts, reservations, deadLetters, alerts;

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
        broker.createTopics(partitions, orders, cancellations, returns, receipts, reservations, deadLetters, alerts);
    }

    KafkaInventoryFeed.Builder feed(InventoryLedger ledger) {
        return KafkaInventoryFeed.builder().bootstrapServers(broker.bootstrapServers()).ledger(ledger)
                .topic(EventKind.ORDER_PLACED, orders)
                .topic(EventKind.ORDER_CANCELLED, cancellations)
                .topic(EventKind.RETURN_RECEIVED, returns)
                .topic(EventKind.STOCK_RECEIVED, receipts)
                .topic(EventKind.RESERVATION_HELD, reservations)
                .deadLetterTopic(deadLetters);
    }

    InventoryEventPublisher.Builder publisher() {
        return InventoryEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .topic(EventKind.ORDER_PLACED, orders)
                .topic(EventKind.ORDER_CANCELLED, cancellations)
                .topic(EventKind.RETURN_RECEIVED, returns)
                .topic(EventKind.STOCK_RECEIVED, receipts)
                .topic(EventKind.RESERVATION_RELEASED, reservations)
                .alertTopic(alerts);
    }

    /** A record of the article's JSON with an event time of 2026-11-25T10:00:00Z. */
    static String json(String idField, String id, String product, String warehouse, Object quantity, String extra) {
        return "{\"" + idField + "\":\"" + id + "\",\"product_id\":\"" + product + "\",\"warehouse_id\":\""
                + warehouse + "\",\"quantity\":" + quantity + ",\"event_time\":\"2026-11-25T10:00:00Z\"" + extra + "}";
    }
}
