package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.EventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "History is finite" (the dedup horizon), through a real broker: a hot SKU taking an order a millisecond (of event
 * time) remembers every order within its horizon, and a redelivery older than the horizon is dead-lettered with
 * the reason, never counted silently. (Before the horizon a product remembered its newest 1,024 identities: the
 * order resent here an hour later was applied a second time.)
 */
class DedupHorizonFeedTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Instant T = Instant.parse("2026-11-27T12:00:00Z");

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    @Test
    void aHotSkusOrderResentAnHourLaterCountsOnceAndOneBeyondTheHorizonIsDeadLetteredNotCounted() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InventoryLedger ledger = InventoryLedger.builder().meterRegistry(registry).build(); // 24 h, the default
        try (KafkaInventoryFeed feed = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).meterRegistry(registry)
                .build();
             KafkaProducer<byte[], byte[]> shop = new KafkaProducer<>(Map.of("bootstrap.servers",
                     broker.bootstrapServers(), "linger.ms", 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            feed.start();
            send(shop, t, InventoryEvent.stockReceived("RCPT-1", "HOT", "WH-1", 1_000_000, T));
            orders(shop, t, 0, 5_000, T); // 5,000 orders in 5 s of event time
            orders(shop, t, 5_000, 5_000, T.plus(Duration.ofHours(1)));
            send(shop, t, order(0, T)); // the first order again, an hour of event time and 10,000 orders later
            shop.flush();
            assertThat(InProcessBroker.await(() -> feed.lag() == 0 && count(registry, "duplicate") == 1, BOUND))
                    .as("the resent order is a duplicate").isTrue();
            assertThat(ledger.available("HOT", "WH-1")).isEqualTo(1_000_000 - 10_000);

            orders(shop, t, 10_000, 1_000, T.plus(Duration.ofHours(26))); // the product's clock moves 26 hours on
            send(shop, t, order(1, T.plusMillis(1))); // order 1 again: older than the horizon, forgotten
            shop.flush();
            List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(t.deadLetters, 1);
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).headers().lastHeader(KafkaInventoryFeed.HEADER_REASON).value(),
                    StandardCharsets.UTF_8)).startsWith("late: event_time " + T.plusMillis(1))
                    .contains("HOT").contains("could be a redelivery");
            assertThat(InProcessBroker.await(() -> feed.lag() == 0, BOUND)).isTrue();
            assertThat(ledger.available("HOT", "WH-1")).as("not counted").isEqualTo(1_000_000 - 11_000);
            assertThat(registry.get("inventory.events").tag("kind", "order_placed").tag("outcome", "late").counter()
                    .count()).isEqualTo(1);
        }
    }

    /**
     * Catching up on a backlog, the feed reads the topics side by side: here a product's small receipts run
     * far ahead of its large orders in event time (a fetch holds ten times as many), which moves the product's
     * clock days ahead of the orders still to read. Forgetting is held back to the slowest partition's time, so
     * no order is refused as late, and the counts are the fold's. (Without the hold, hundreds of the orders were
     * dead-lettered as late.)
     */
    @Test
    void aFeedCatchingUpOnTopicsReadAtUnevenPacesRefusesNothingAsLate() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        String padding = ",\"note\":\"" + "x".repeat(1_000) + "\"";
        try (KafkaProducer<byte[], byte[]> shop = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "linger.ms", 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 4_000; i++) { // two days, a receipt and an order every 43 s
                Instant at = T.plusSeconds(43L * i);
                send(shop, t, InventoryEvent.stockReceived("R-" + i, "P", "WH-1", 2, at));
                InventoryEvent order = InventoryEvent.orderPlaced("O-" + i, "P", "WH-1", 1, at);
                String json = new String(EventCodec.encode(order), StandardCharsets.UTF_8);
                shop.send(new ProducerRecord<>(t.orders, "P".getBytes(StandardCharsets.UTF_8), (json.substring(0,
                        json.length() - 1) + padding + "}").getBytes(StandardCharsets.UTF_8)));
            }
            shop.flush();
        }
        InventoryLedger ledger = InventoryLedger.builder().dedupHorizon(Duration.ofHours(1)).build();
        try (KafkaInventoryFeed feed = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST)
                .clientProperty("max.partition.fetch.bytes", 16 * 1024).maxRecordBytes(4096).build()) {
            feed.start();
            assertThat(ledger.available("P", "WH-1")).isEqualTo(4_000);
        }
        assertThat(broker.recordCount(t.deadLetters)).as("refused as late").isZero();
    }

    private static void orders(KafkaProducer<byte[], byte[]> shop, TestTopics t, int first, int n, Instant from) {
        for (int i = 0; i < n; i++) {
            send(shop, t, order(first + i, from.plusMillis(i)));
        }
    }

    private static InventoryEvent order(int n, Instant at) {
        return InventoryEvent.orderPlaced("ORD-" + n, "HOT", "WH-1", 1, at);
    }

    private static void send(KafkaProducer<byte[], byte[]> shop, TestTopics t, InventoryEvent e) {
        shop.send(new ProducerRecord<>(t.of(e.kind()), e.productId().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(e)));
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        return registry.get("inventory.feed.records").tag("outcome", outcome).counter().count();
    }
}
