package dev.inventoryledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.StockAlert;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Publisher → real broker → feed → ledger: the same counts as a direct fold, instances that see each
 * other's sales and never count their own twice, and alerts published once per transition.
 */
class InventoryEventPublisherTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(); // one per class, started before its tests

    @Test
    void publishedThroughTheBrokerEqualsADirectFoldAndARereadCountsNothing() throws Exception {
        TestTopics t = new TestTopics(broker);
        List<InventoryEvent> events = randomEvents(new Random(42), 3_000);
        InventoryLedger direct = InventoryLedger.builder().build();
        long distinct = events.stream().filter(e -> direct.apply(e) == ApplyOutcome.APPLIED).count();
        try (InventoryEventPublisher publisher = t.publisher().build()) {
            List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
            for (InventoryEvent e : events) {
                sent.add(publisher.publish(e));
            }
            publisher.flush();
            for (var f : sent) {
                assertThat(f).isCompleted();
                f.get(); // throws if a record was not written
            }
        }
        InventoryLedger viaKafka = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(viaKafka).meterRegistry(registry)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(InProcessBroker.await(() -> read(registry) == events.size(), BOUND)).isTrue();
            assertThat(outcome(registry, "applied")).isEqualTo(distinct);
            assertThat(outcome(registry, "dead_lettered")).isZero();
        }
        assertThat(sorted(viaKafka.positions())).isEqualTo(sorted(direct.positions()));

        // A consumer restart that re-reads everything (across all five topics) counts nothing again.
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(viaKafka).meterRegistry(again)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(InProcessBroker.await(() -> read(again) == events.size(), BOUND)).isTrue();
            assertThat(outcome(again, "applied")).isZero();
        }
        assertThat(sorted(viaKafka.positions())).isEqualTo(sorted(direct.positions()));
        assertThat(viaKafka.audit().isClean()).isTrue();
    }

    @Test
    void twoInstancesSeeEachOthersCheckoutsAndNeitherCountsAnythingTwice() throws Exception {
        TestTopics t = new TestTopics(broker);
        SimpleMeterRegistry aFeed = new SimpleMeterRegistry(), bFeed = new SimpleMeterRegistry();
        InventoryLedger a = InventoryLedger.builder().build(), b = InventoryLedger.builder().build();
        try (InventoryEventPublisher warehouse = t.publisher().build();
             InventoryEventPublisher aPublisher = t.publisher().build();
             InventoryEventPublisher bPublisher = t.publisher().build();
             KafkaInventoryFeed aIn = t.feed(a).meterRegistry(aFeed).build();
             KafkaInventoryFeed bIn = t.feed(b).meterRegistry(bFeed).build()) {
            a.addLocalEventListener(aPublisher);
            b.addLocalEventListener(bPublisher);
            aIn.start();
            bIn.start();
            warehouse.publish(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 10, Instant.now())).get();
            warehouse.publish(InventoryEvent.stockReceived("RCPT-2", "SKU-2", "WH-1", 5, Instant.now())).get();
            warehouse.publish(InventoryEvent.stockReceived("RCPT-3", "SKU-2", "WH-2", 5, Instant.now())).get();
            assertThat(InProcessBroker.await(() -> a.available("SKU-2") == 10 && b.available("SKU-2") == 10, BOUND))
                    .isTrue();

            // A sells 3 in process; B sees the hold, then the sale.
            assertThat(a.tryReserve("SKU-1", "WH-1", 3, "cart-a1", Duration.ofMinutes(15)).accepted()).isTrue();
            assertThat(InProcessBroker.await(() -> b.sellable("SKU-1", "WH-1") == 7, BOUND)).isTrue();
            assertThat(a.confirm("cart-a1", "ORD-A1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(InProcessBroker.await(() -> b.available("SKU-1", "WH-1") == 7 && b.held("SKU-1", "WH-1") == 0,
                    BOUND)).isTrue();

            // B holds a basket across warehouses and releases it; A holds, extends and confirms another.
            assertThat(b.tryReserve("cart-b1", List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.anyWarehouse("SKU-2", 4)), Duration.ofMinutes(15)).accepted()).isTrue();
            assertThat(InProcessBroker.await(() -> a.sellable("SKU-2") == 6, BOUND)).isTrue();
            assertThat(b.release("cart-b1")).isEqualTo(HoldOutcome.RELEASED);
            assertThat(a.tryReserve("SKU-2", "WH-2", 4, "cart-a2", Duration.ofMinutes(15)).accepted()).isTrue();
            assertThat(a.extend("cart-a2", Duration.ofMinutes(30))).isEqualTo(HoldOutcome.EXTENDED);
            assertThat(a.confirm("cart-a2", "ORD-A2")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(InProcessBroker.await(() -> b.available("SKU-2", "WH-2") == 1 && heldAnywhere(b) == 0 && heldAnywhere(a) == 0, BOUND)).isTrue();

            // Wait until each instance has read every record on the topics (its own echoes included).
            long published = 3 + 3 + 4 + 4; // receipts; a1 held, order, its released; b1 2 held, 2 released;
            // a2 held, extension, order, its released
            assertThat(InProcessBroker.await(() -> read(aFeed) == published && read(bFeed) == published, BOUND))
                    .isTrue();
            assertThat(sorted(b.positions())).isEqualTo(sorted(a.positions()));
            // Each instance's own events came back as duplicates; nothing was a conflict or refused.
            // cart-a1 held, order, released; cart-a2 held, extension, order, released
            assertThat(outcome(aFeed, "duplicate")).isEqualTo(7);
            // B's own: cart-b1's 2 held + 2 released. B may also read A's extension after A's order has consumed
            // the hold (orders and reservations are different topics), and then that extension changes nothing.
            assertThat(outcome(bFeed, "duplicate")).isBetween(4L, 5L);
            assertThat(outcome(aFeed, "conflict") + outcome(bFeed, "conflict")).isZero();
            assertThat(outcome(aFeed, "dead_lettered") + outcome(bFeed, "dead_lettered")).isZero();
            assertThat(a.audit().isClean()).isTrue();
            assertThat(b.audit().isClean()).isTrue();
            assertThat(a.available("SKU-1", "WH-1")).isEqualTo(7);
            assertThat(a.available("SKU-2", "WH-2")).isEqualTo(1);
        }
    }

    @Test
    void alertsArePublishedOncePerTransitionNotOncePerEvent() throws Exception {
        TestTopics t = new TestTopics(broker);
        List<StockAlert> told = new CopyOnWriteArrayList<>();
        try (InventoryEventPublisher publisher = t.publisher().build()) {
            InventoryLedger ledger = InventoryLedger.builder().lowStockThreshold(10).listener(told::add)
                    .listener(publisher.alertSink()).build();
            Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
            long[] orders = {5, 6, 1, 1, 1, 5, 2}; // 20 → 15 → 9 (low) → 8 → 7 → 6 → 1 → -1 (out, oversold)
            ledger.apply(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 20, t0)); // back in stock
            for (int i = 0; i < orders.length; i++) {
                ledger.apply(InventoryEvent.orderPlaced("ORD-" + i, "SKU-1", "WH-1", orders[i], t0.plusSeconds(i + 1)));
            }
            ledger.apply(InventoryEvent.stockReceived("RCPT-2", "SKU-1", "WH-1", 30, t0.plusSeconds(60))); // back
            publisher.flush();
            assertThat(publisher.failure()).isNull();
        }
        assertThat(told).extracting(StockAlert::type).containsExactly(StockAlert.Type.BACK_IN_STOCK,
                StockAlert.Type.LOW_STOCK, StockAlert.Type.OUT_OF_STOCK, StockAlert.Type.OVERSOLD,
                StockAlert.Type.BACK_IN_STOCK);
        assertThat(broker.recordCount(t.alerts)).isEqualTo(told.size()); // one per transition, none per plain event
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(t.alerts, told.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < told.size(); i++) { // one key, so one partition, in order
            StockAlert a = told.get(i);
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("SKU-1");
            JsonNode n = json.readTree(r.value());
            assertThat(n.get("alert_type").asText()).isEqualTo(a.type().name().toLowerCase());
            assertThat(n.get("product_id").asText()).isEqualTo("SKU-1");
            assertThat(n.get("warehouse_id").asText()).isEqualTo("WH-1");
            assertThat(n.get("available_quantity").asLong()).isEqualTo(a.available());
            assertThat(n.get("previous_quantity").asLong()).isEqualTo(a.before());
            assertThat(n.get("threshold").asLong()).isEqualTo(10);
            assertThat(Instant.parse(n.get("event_time").asText())).isEqualTo(a.eventTime());
            assertThat(n.get("alert_id").asText()).isNotBlank();
        }
        assertThat(records.stream().map(r -> r.value()).map(String::new).distinct()).hasSize(told.size());
    }

    @Test
    void aRecordThatCannotBeWrittenIsCountedAndReported() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InventoryEventPublisher publisher = InventoryEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .meterRegistry(registry).build();
        publisher.close();
        var sent = publisher.publish(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 1, Instant.now()));
        assertThatThrownBy(sent::get).isInstanceOf(ExecutionException.class);
        assertThat(publisher.failure()).isNotNull();
        assertThat(registry.get("inventory.publisher.records").tag("outcome", "failed").counter().count()).isEqualTo(1);
        assertThatThrownBy(() -> InventoryEventPublisher.builder().alertTopic(" "))
                .hasMessageContaining("alertTopic").hasMessageContaining("' '");
        assertThatThrownBy(() -> InventoryEventPublisher.builder().build()).hasMessageContaining("bootstrapServers");
    }

    /** Receipts, orders, cancellations, returns, holds and releases over a few positions, with redeliveries. */
    private static List<InventoryEvent> randomEvents(Random random, int n) {
        List<InventoryEvent> out = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        for (int i = 0; i < n; i++) {
            if (i > 10 && random.nextInt(10) == 0) {
                out.add(out.get(random.nextInt(out.size()))); // a redelivery
                continue;
            }
            String p = "SKU-" + random.nextInt(7), w = "WH-" + random.nextInt(3);
            long q = 1 + random.nextInt(20);
            Instant at = t0.plusMillis(random.nextInt(3_600_000));
            out.add(switch (random.nextInt(7)) {
                case 0, 1 -> InventoryEvent.stockReceived("RCPT-" + i, p, w, q, at);
                case 2 -> InventoryEvent.orderPlaced("ORD-" + i, p, w, q, at);
                case 3 -> InventoryEvent.orderCancelled("ORD-" + random.nextInt(i + 1), p, w, q, at);
                case 4 -> InventoryEvent.returnReceived("RET-" + i, p, w, q, at);
                case 5 -> InventoryEvent.reservationHeld("RES-" + random.nextInt(n / 4), p, w, q, at);
                default -> InventoryEvent.reservationReleased("RES-" + random.nextInt(n / 4), p, w, q, at);
            });
        }
        return out;
    }

    private static long heldAnywhere(InventoryLedger ledger) {
        return ledger.positions().stream().mapToLong(Position::held).sum();
    }

    private static List<Position> sorted(List<Position> positions) {
        return positions.stream().sorted(Comparator.comparing(Position::productId)
                .thenComparing(Position::warehouseId)).toList();
    }

    private static long read(SimpleMeterRegistry registry) {
        return (long) registry.find("inventory.feed.records").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static long outcome(SimpleMeterRegistry registry, String outcome) {
        return (long) registry.get("inventory.feed.records").tag("outcome", outcome).counter().count();
    }
}
