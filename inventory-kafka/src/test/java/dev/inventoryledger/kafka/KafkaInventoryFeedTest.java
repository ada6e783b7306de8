package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryLedger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.inventoryledger.kafka.TestTopics.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The feed against a real in-process Kafka broker. Each test uses its own topic names. */
class KafkaInventoryFeedTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(); // one per class, started before its tests

    @Test
    void everyTopicIsAppliedAndARedeliveryCountsOnce() throws Exception {
        TestTopics t = new TestTopics(broker);
        InventoryLedger ledger = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(ledger).meterRegistry(registry).build()) {
            feed.start(); // LATEST: everything below is written after the start
            broker.send(t.receipts, "SKU-1", json("receipt_id", "RCPT-1", "SKU-1", "WH-1", 100, ""));
            broker.send(t.orders, "SKU-1", json("order_id", "ORD-1", "SKU-1", "WH-1", 7, ",\"unknown_field\":[1,{}]"));
            broker.send(t.orders, "SKU-1", json("order_id", "ORD-1", "SKU-1", "WH-1", 7, "")); // redelivery
            broker.send(t.cancellations, "SKU-1", json("order_id", "ORD-1", "SKU-1", "WH-1", 2, ""));
            broker.send(t.returns, "SKU-1", json("return_id", "RET-1", "SKU-1", "WH-1", 1, ""));
            broker.send(t.reservations, "SKU-1", json("reservation_id", "R-1", "SKU-1", "WH-1", 5, ",\"status\":\"held\""));
            broker.send(t.reservations, "SKU-1", json("reservation_id", "R-2", "SKU-1", "WH-1", 3, ",\"status\":\"held\""));
            broker.send(t.reservations, "SKU-1", json("reservation_id", "R-2", "SKU-1", "WH-1", 3, ",\"status\":\"released\""));
            // Topics are read in no fixed order relative to each other: wait until all 8 records are read.
            assertThat(InProcessBroker.await(() -> registry.find("inventory.feed.records").counters().stream()
                    .mapToDouble(c -> c.count()).sum() == 8, BOUND)).as("feed read every record").isTrue();
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(96);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(5);
            assertThat(registry.get("inventory.feed.records").tag("outcome", "duplicate").counter().count())
                    .isEqualTo(1);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(91);
            assertThat(registry.get("inventory.feed.records").tag("outcome", "applied").counter().count()).isEqualTo(7);
            assertThat(feed.failure()).isNull();
        }
    }

    @Test
    void refusedRecordsGoToTheDeadLetterTopicWithOriginAndReasonAndTheFeedGoesOn() throws Exception {
        TestTopics t = new TestTopics(broker);
        InventoryLedger ledger = InventoryLedger.builder().build();
        List<String> bad = List.of(
                "not json at all",
                json("order_id", "ORD-2", "SKU-1", "WH-1", -3, ""),
                json("order_id", "ORD-3", "SKU-1", "WH-1", "\"seven\"", ""),
                "{\"order_id\":\"ORD-4\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-1\",\"event_time\":\"2026-11-25T10:00:00Z\"}",
                json("order_id", "ORD-5", "SKU-1", "WH-1", 1, "").replace("2026-11-25T10:00:00Z", "yesterday"),
                json("order_id", "ORD-6", "SKU-1", "WH-1", 1, ",\"x\":\"" + "y".repeat(70_000) + "\""),
                "[1,2,3]");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(ledger).meterRegistry(registry).build()) {
            feed.start();
            for (String value : bad) {
                broker.send(t.orders, "key-" + bad.indexOf(value), value);
            }
            broker.send(t.reservations, "key-r", json("reservation_id", "R-1", "SKU-1", "WH-1", 1, ",\"status\":\"maybe\""));
            broker.send(t.orders, "SKU-1", json("order_id", "ORD-OK", "SKU-1", "WH-1", 4, ""));
            assertThat(InProcessBroker.await(() -> ledger.available("SKU-1", "WH-1") == -4, BOUND)).isTrue();
            // The orders and reservations topics are read in no fixed order: wait for every dead letter.
            assertThat(InProcessBroker.await(() -> registry.get("inventory.feed.records").tag("outcome", "dead_lettered")
                    .counter().count() == bad.size() + 1, BOUND)).isTrue();
            assertThat(feed.isRunning()).isTrue();
        }
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(t.deadLetters, bad.size() + 1);
        assertThat(dead).hasSize(bad.size() + 1);
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            String topic = header(r, KafkaInventoryFeed.HEADER_TOPIC);
            assertThat(topic).isIn(t.orders, t.reservations);
            assertThat(header(r, KafkaInventoryFeed.HEADER_PARTITION)).matches("[01]");
            assertThat(header(r, KafkaInventoryFeed.HEADER_OFFSET)).matches("\\d+");
            String reason = header(r, KafkaInventoryFeed.HEADER_REASON);
            assertThat(reason).isNotBlank();
            if (key.equals("key-r")) {
                assertThat(reason).contains("status").contains("maybe");
            } else {
                int i = Integer.parseInt(key.substring(4));
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(bad.get(i)); // original bytes
                assertThat(reason).contains(switch (i) {
                    case 0 -> "not valid JSON";
                    case 1 -> "quantity must be > 0 but was -3";
                    case 2 -> "quantity must be a whole number";
                    case 3 -> "quantity is missing";
                    case 4 -> "event_time must be an ISO-8601 instant";
                    case 5 -> "over the limit";
                    default -> "not a JSON object";
                });
            }
        }
    }

    @Test
    void feedResumesExactlyFromTheOffsetsItReports() throws Exception {
        TestTopics t = new TestTopics(broker);
        InventoryLedger first = InventoryLedger.builder().build();
        Map<TopicPartition, Long> offsets;
        for (int i = 0; i < 20; i++) {
            broker.send(t.receipts, "SKU-" + (i % 3), json("receipt_id", "RCPT-" + i, "SKU-" + (i % 3), "WH-1", 1, ""));
        }
        try (KafkaInventoryFeed feed = t.feed(first).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(InProcessBroker.await(() -> first.available("SKU-0") + first.available("SKU-1")
                    + first.available("SKU-2") == 20, BOUND)).isTrue();
            offsets = feed.appliedOffsets();
        }
        assertThat(offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(t.receipts))
                .mapToLong(Map.Entry::getValue).sum()).isEqualTo(20);
        for (int i = 20; i < 30; i++) {
            broker.send(t.receipts, "SKU-" + (i % 3), json("receipt_id", "RCPT-" + i, "SKU-" + (i % 3), "WH-1", 1, ""));
        }
        // A fresh ledger started from the offsets sees only what came after them.
        InventoryLedger second = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(second).startFrom(offsets).build()) {
            feed.start();
            assertThat(InProcessBroker.await(() -> second.available("SKU-0") + second.available("SKU-1")
                    + second.available("SKU-2") == 10, BOUND)).isTrue();
            assertThat(InProcessBroker.await(() -> feed.appliedOffsets().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(t.receipts)).mapToLong(Map.Entry::getValue).sum() == 30,
                    BOUND)).isTrue();
        }
        assertThat(second.available("SKU-0") + second.available("SKU-1") + second.available("SKU-2")).isEqualTo(10);
    }

    @Test
    void aRestartFromItsCheckpointCountsNothingTwiceEvenWithEveryIdentityForgotten(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker);
        Path checkpoint = dir.resolve("ledger.ckpt");
        // A horizon of one second and receipts a minute apart: each product remembers its newest identity only,
        // so only the stored offsets can keep the restart exact.
        InventoryLedger first = InventoryLedger.builder().dedupHorizon(Duration.ofSeconds(1)).build();
        for (int i = 0; i < 40; i++) {
            receipt(t, i);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(first).checkpoint(checkpoint).checkpointInterval(Duration.ofMillis(50))
                .meterRegistry(registry).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(InProcessBroker.await(() -> total(first) == 80, BOUND)).isTrue();
            assertThat(first.tryReserve("SKU-1", "WH-1", 3, "cart-1", Duration.ofHours(1)).accepted()).isTrue();
        } // close writes the final checkpoint
        assertThat(registry.get("inventory.feed.checkpoints").tag("outcome", "written").counter().count())
                .isGreaterThanOrEqualTo(1);
        for (int i = 40; i < 50; i++) {
            receipt(t, i);
        }
        InventoryLedger second = InventoryLedger.builder().dedupHorizon(Duration.ofSeconds(1)).build();
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(second).checkpoint(checkpoint).meterRegistry(again)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) { // the checkpoint wins over EARLIEST
            feed.start();
            assertThat(second.held("SKU-1", "WH-1")).as("restored before start() returns").isEqualTo(3);
            assertThat(InProcessBroker.await(() -> total(second) == 100, BOUND)).isTrue();
            assertThat(InProcessBroker.await(() -> feed.appliedOffsets().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(t.receipts)).mapToLong(Map.Entry::getValue).sum() == 50,
                    BOUND)).isTrue();
            assertThat(again.get("inventory.feed.records").tag("outcome", "applied").counter().count()).isEqualTo(10);
        }
        assertThat(total(second)).isEqualTo(100);
        assertThat(second.audit().isClean()).isTrue();
    }

    @Test
    void aCorruptCheckpointStopsTheStartWithAClearMessageAndLoadsNothing(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker);
        Path checkpoint = dir.resolve("ledger.ckpt");
        Files.write(checkpoint, "not a checkpoint".getBytes(StandardCharsets.UTF_8));
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).checkpoint(checkpoint).build()) {
            assertThatThrownBy(feed::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not restore checkpoint").hasMessageContaining("ledger.ckpt")
                    .hasMessageContaining("not an inventory ledger checkpoint");
            assertThat(feed.isRunning()).isFalse();
        }
        assertThat(ledger.positions()).isEmpty();
    }

    @Test
    void rebuildAsOfAnInstantEqualsAFoldOfTheEventsUpToItWithHoldsLapsedByThen() throws Exception {
        TestTopics t = new TestTopics(broker);
        java.util.Random random = new java.util.Random(7);
        java.time.Instant t0 = java.time.Instant.parse("2026-11-25T14:00:00Z");
        List<dev.inventoryledger.core.InventoryEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String p = "SKU-" + random.nextInt(5), w = "WH-" + random.nextInt(2);
            java.time.Instant at = t0.plusSeconds(random.nextInt(3600));
            long q = 1 + random.nextInt(9);
            events.add(switch (random.nextInt(5)) {
                case 0, 1 -> dev.inventoryledger.core.InventoryEvent.stockReceived("RCPT-" + i, p, w, q * 3, at);
                case 2 -> dev.inventoryledger.core.InventoryEvent.orderPlaced("ORD-" + i, p, w, q, at);
                case 3 -> dev.inventoryledger.core.InventoryEvent.reservationHeld("RES-" + i, p, w, q, at)
                        .withExpiresAt(at.plusSeconds(random.nextInt(1800)));
                default -> dev.inventoryledger.core.InventoryEvent.reservationReleased("RES-" + random.nextInt(i + 1),
                        p, w, q, at);
            });
        }
        try (InventoryEventPublisher publisher = t.publisher().build()) {
            for (var e : events) {
                publisher.publish(e);
            }
            publisher.flush();
            assertThat(publisher.failure()).isNull();
        }
        broker.send(t.orders, "junk", "not json"); // refused when fed; skipped by the rebuild
        for (int minutes : new int[]{0, 7, 30, 59, 61, 120}) {
            java.time.Instant asOf = t0.plusSeconds(minutes * 60L);
            InventoryLedger rebuilt = t.feed(InventoryLedger.builder().build())
                    .rebuildAsOf(asOf, InventoryLedger.builder());
            InventoryLedger direct = InventoryLedger.builder()
                    .clock(java.time.Clock.fixed(asOf, java.time.ZoneOffset.UTC)).build();
            events.stream().filter(e -> !e.eventTime().isAfter(asOf)).forEach(direct::apply);
            assertThat(sorted(rebuilt)).as("as of %s", asOf).isEqualTo(sorted(direct));
        }

        // A hold renewed before it lapsed (a later held copy with a later expires_at) still counts after its
        // first expiry: the rebuild applies each event at its own time, not at the cut.
        var held = dev.inventoryledger.core.InventoryEvent.reservationHeld("RES-X", "SKU-X", "WH-1", 4, t0)
                .withExpiresAt(t0.plusSeconds(600));
        try (InventoryEventPublisher publisher = t.publisher().build()) {
            publisher.publish(dev.inventoryledger.core.InventoryEvent.stockReceived("RCPT-X", "SKU-X", "WH-1", 10, t0));
            publisher.publish(held);
            publisher.publish(dev.inventoryledger.core.InventoryEvent.reservationHeld("RES-X", "SKU-X", "WH-1", 4,
                    t0.plusSeconds(300)).withExpiresAt(t0.plusSeconds(1800))); // same hold, renewed at 14:05
            publisher.flush();
        }
        InventoryLedger at1420 = t.feed(InventoryLedger.builder().build())
                .rebuildAsOf(t0.plusSeconds(1200), InventoryLedger.builder());
        assertThat(at1420.held("SKU-X", "WH-1")).isEqualTo(4);
        assertThat(at1420.sellable("SKU-X", "WH-1")).isEqualTo(6);
        InventoryLedger at1440 = t.feed(InventoryLedger.builder().build())
                .rebuildAsOf(t0.plusSeconds(2400), InventoryLedger.builder());
        assertThat(at1440.held("SKU-X", "WH-1")).isZero();
    }

    private static List<String> sorted(InventoryLedger ledger) {
        return ledger.positions().stream().map(p -> p.productId() + "/" + p.warehouseId() + " available="
                + p.available() + " held=" + ledger.held(p.productId(), p.warehouseId()) + " sellable="
                + ledger.sellable(p.productId(), p.warehouseId()) + " at " + p.lastUpdated()).sorted().toList();
    }

    @Test
    void aCheckpointThatDoesNotFitTheFeedOrItsLedgerIsRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker);
        InventoryLedger written = InventoryLedger.builder().build();
        written.apply(dev.inventoryledger.core.InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 5,
                java.time.Instant.now()));
        Path foreign = dir.resolve("foreign.ckpt");
        written.checkpoint(foreign, Map.of("some_other_topic:0", 42L)); // offsets of topics this feed does not read
        try (KafkaInventoryFeed feed = t.feed(InventoryLedger.builder().build()).checkpoint(foreign).build()) {
            assertThatThrownBy(feed::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("do not match this feed's topics").hasMessageContaining("some_other_topic");
            assertThat(feed.isRunning()).isFalse();
        }
        Path own = dir.resolve("own.ckpt");
        written.checkpoint(own, Map.of(t.orders + ":0", 0L));
        InventoryLedger used = InventoryLedger.builder().build();
        used.setSafetyStock("SKU-1", "WH-1", 1); // configured before start: the checkpoint cannot go on top
        try (KafkaInventoryFeed feed = t.feed(used).checkpoint(own).build()) {
            assertThatThrownBy(feed::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds state").hasMessageContaining("after start()");
        }
        KafkaInventoryFeed closed = t.feed(InventoryLedger.builder().build()).build();
        closed.close();
        assertThatThrownBy(closed::start).hasMessageContaining("closed");
    }

    private static long total(InventoryLedger ledger) {
        return ledger.positions().stream().mapToLong(dev.inventoryledger.core.Position::available).sum();
    }

    @Test
    void closeReturnsWithinItsBound() throws Exception {
        TestTopics t = new TestTopics(broker);
        KafkaInventoryFeed feed = t.feed(InventoryLedger.builder().build()).closeTimeout(Duration.ofSeconds(5)).build();
        feed.start();
        assertThat(feed.isRunning()).isTrue();
        long begun = System.nanoTime();
        feed.close();
        assertThat(feed.isRunning()).isFalse();
        assertThat(feed.failure()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(6));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Receipt i of 2 units, for SKU-(i mod 4), a minute after receipt i - 1. */
    private static void receipt(TestTopics t, int i) throws Exception {
        broker.send(t.receipts, "SKU-" + (i % 4), dev.inventoryledger.kafka.internal.EventCodec.encode(
                dev.inventoryledger.core.InventoryEvent.stockReceived("RCPT-" + i, "SKU-" + (i % 4), "WH-1", 2,
                        java.time.Instant.parse("2026-11-25T10:00:00Z").plusSeconds(60L * i))));
    }
}
