package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotMetrics;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * README, "History is finite": shared snapshots on a compacted topic let a new instance with an empty disk start
 * from the newest whole state and read only the log after it, even once retention has removed what came before.
 * Retention is played by {@code Admin.deleteRecords}; the topics have three partitions.
 */
class SnapshotTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Instant T = Instant.parse("2026-11-30T09:00:00Z");
    private static final int PARTITIONS = 3;

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    @Test
    void aNewInstanceWithAnEmptyDiskAfterTheTopicsWereTruncatedToASnapshotEqualsTheFoldOfTheWholeHistory()
            throws Exception {
        TestTopics t = new TestTopics(broker, PARTITIONS);
        List<InventoryEvent> history = history(new Random(42), 3_000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InventoryLedger writerLedger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed writer = t.feed(writerLedger).startFrom(KafkaInventoryFeed.Start.EARLIEST)
                .meterRegistry(registry).build();
             KafkaProducer<byte[], byte[]> shop = producer()) {
            writer.start();
            publish(shop, t, history.subList(0, 2_000));
            awaitRead(writer, t);
            writer.snapshotNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(registry.get("inventory.snapshots").tag("outcome", "written").counter().count())
                    .as("one per partition").isEqualTo(PARTITIONS);
            Map<TopicPartition, Long> snapshotted = broker.endOffsets(t.eventTopics());
            for (Map.Entry<TopicPartition, Long> e : snapshotted.entrySet()) { // retention passes the snapshot
                broker.deleteRecordsBefore(e.getKey(), e.getValue());
            }
            publish(shop, t, history.subList(2_000, history.size()));
            awaitRead(writer, t);

            InventoryLedger fresh = InventoryLedger.builder().build();
            try (KafkaInventoryFeed newcomer = t.feed(fresh).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
                newcomer.start();
                KafkaInventoryFeed.Status status = newcomer.status();
                assertThat(status.start().values()).allSatisfy(p -> assertThat(p.origin())
                        .isEqualTo(StartPoint.Origin.SNAPSHOT));
                long tail = broker.endOffsets(t.eventTopics()).entrySet().stream()
                        .mapToLong(e -> e.getValue() - snapshotted.get(e.getKey())).sum();
                assertThat(status.readAtStart()).as("only the log after the snapshot").isEqualTo(tail);
                InventoryLedger fold = fold(history);
                assertThat(sorted(fresh.positions())).isEqualTo(sorted(fold.positions()));
                assertThat(fresh.activeHolds()).isEqualTo(fold.activeHolds()).isPositive();
                assertThat(sorted(writerLedger.positions())).isEqualTo(sorted(fold.positions()));
                assertThat(fresh.audit().isClean()).isTrue();
            }
            // the same start without the snapshots refuses: the history before them is gone
            try (KafkaInventoryFeed blind = t.feed(InventoryLedger.builder().build()).snapshots(false)
                    .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
                assertThatThrownBy(blind::start).hasMessageContaining("must resume at 0");
            }
        }
    }

    /**
     * Snapshots that are not whole, or that a fenced owner wrote, are never used: a newer manifest naming
     * chunks that are not there, and a newer snapshot whose owner's epoch is below a claim it holds itself
     * (written after its successor claimed the partition), both lose to the older whole one.
     */
    @Test
    void aTornOrFencedSnapshotIsNeverUsedAndTheNewestWholeOneIs() throws Exception {
        TestTopics t = new TestTopics(broker, PARTITIONS);
        List<InventoryEvent> history = history(new Random(7), 600);
        InventoryLedger writerLedger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed writer = t.feed(writerLedger).startFrom(KafkaInventoryFeed.Start.EARLIEST).build();
             KafkaProducer<byte[], byte[]> shop = producer()) {
            writer.start();
            publish(shop, t, history);
            awaitRead(writer, t);
            writer.snapshotNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
        Map<TopicPartition, Long> ends = broker.endOffsets(t.eventTopics());
        for (int p = 0; p < PARTITIONS; p++) {
            forgeFenced(t, p, ends);
            forgeTorn(t, p, ends);
        }
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            broker.deleteRecordsBefore(e.getKey(), e.getValue());
        }
        InventoryLedger fresh = InventoryLedger.builder().build();
        try (KafkaInventoryFeed newcomer = t.feed(fresh).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            newcomer.start();
            assertThat(newcomer.status().start().values()).allSatisfy(p -> assertThat(p.origin())
                    .isEqualTo(StartPoint.Origin.SNAPSHOT));
            assertThat(fresh.available("FORGED", "WH-1")).as("no forged snapshot used").isZero();
            assertThat(sorted(fresh.positions())).isEqualTo(sorted(fold(history).positions()));
        }
    }

    /** A partition with no snapshot (its writer never got to it) is read from its beginning; the others are not. */
    @Test
    void aPartitionWithoutASnapshotIsReadWholeBesideTheOthersFromTheirs() throws Exception {
        TestTopics t = new TestTopics(broker, PARTITIONS);
        List<InventoryEvent> history = history(new Random(3), 900);
        try (KafkaInventoryFeed writer = t.feed(InventoryLedger.builder().build())
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build();
             KafkaProducer<byte[], byte[]> shop = producer()) {
            writer.start();
            publish(shop, t, history.subList(0, 600));
            awaitRead(writer, t);
            writer.snapshotNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
            shop.send(new ProducerRecord<>(t.snapshots, 2 % PARTITIONS, "m/2".getBytes(StandardCharsets.UTF_8), null))
                    .get(30, TimeUnit.SECONDS); // partition 2's manifest gone: as if never written
            publish(shop, t, history.subList(600, history.size()));
        }
        InventoryLedger fresh = InventoryLedger.builder().build();
        try (KafkaInventoryFeed newcomer = t.feed(fresh).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            newcomer.start();
            newcomer.status().start().forEach((tp, point) -> assertThat(point.origin()).as("%s", tp)
                    .isEqualTo(tp.partition() == 2 ? StartPoint.Origin.HISTORY_START : StartPoint.Origin.SNAPSHOT));
            assertThat(sorted(fresh.positions())).isEqualTo(sorted(fold(history).positions()));
        }
    }

    /**
     * Snapshots take partition p's state to be the products whose key goes to p: a record elsewhere turns them
     * off for the feed, saying why, and a request for one fails rather than write a wrong state.
     */
    @Test
    void aRecordOnAnotherPartitionThanItsKeysTurnsSnapshotsOffSayingWhy() throws Exception {
        TestTopics t = new TestTopics(broker, PARTITIONS);
        InventoryEvent e = InventoryEvent.stockReceived("R-1", "SKU-1", "WH-1", 5, T);
        int home = dev.inventoryledger.kafka.internal.Partitioning.partitionOf("SKU-1", PARTITIONS);
        broker.send(t.receipts, (home + 1) % PARTITIONS, "SKU-1", EventCodec.encode(e));
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(ledger.available("SKU-1", "WH-1")).as("the event itself counts").isEqualTo(5);
            assertThatThrownBy(() -> feed.snapshotNow().get(BOUND.toSeconds(), TimeUnit.SECONDS))
                    .hasMessageContaining("a record of product SKU-1 is on " + t.receipts + "-" + (home + 1) % PARTITIONS)
                    .hasMessageContaining("snapshots need every topic keyed by product_id");
            assertThat(feed.state()).isEqualTo(FeedState.LIVE);
        }
    }

    /** A newer snapshot of partition p by an owner at epoch 5 that holds a claim at epoch 6: fenced. */
    private static void forgeFenced(TestTopics t, int p, Map<TopicPartition, Long> ends) throws Exception {
        Map<String, Long> offsets = offsetsOf(t, p, ends);
        offsets.put("gate|claim|" + p + "|" + t.reservations, 6L);
        try (SnapshotWriter w = writer(t, "zombie")) {
            w.write(p, 5, forged(offsets), System.nanoTime()).get(30, TimeUnit.SECONDS);
        }
    }

    /** A newer manifest of partition p whose chunks were never written (a writer killed before them). */
    private static void forgeTorn(TestTopics t, int p, Map<TopicPartition, Long> ends) throws Exception {
        try (SnapshotWriter w = writer(t, "torn")) {
            w.write(p, -1, forged(offsetsOf(t, p, ends)), System.nanoTime()).get(30, TimeUnit.SECONDS);
        }
        // its chunks go: the manifest names chunks that are not there any more
        try (KafkaProducer<byte[], byte[]> p0 = producer()) {
            for (int slot = 0; slot < 3; slot++) {
                for (int n = 0; n < 4; n++) {
                    p0.send(new ProducerRecord<>(t.snapshots, p % PARTITIONS, ("c/" + p + "/torn/" + slot + "/" + n)
                            .getBytes(StandardCharsets.UTF_8), null)).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static SnapshotWriter writer(TestTopics t, String name) {
        return new SnapshotWriter(new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "enable.idempotence", true, "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer()),
                t.snapshots, name, 1024, PARTITIONS, new SnapshotMetrics(null, Clock.systemUTC()), Clock.systemUTC());
    }

    private static CheckpointFile.Contents forged(Map<String, Long> offsets) {
        return new CheckpointFile.Contents(0, offsets, List.of(new CheckpointFile.ProductData("FORGED", 0,
                List.of(new CheckpointFile.SlotData("WH-1", 999, 0, 0, 0, -1)), new long[0], -1)), List.of());
    }

    private static Map<String, Long> offsetsOf(TestTopics t, int p, Map<TopicPartition, Long> ends) {
        Map<String, Long> offsets = new java.util.HashMap<>();
        for (String topic : t.eventTopics()) {
            offsets.put(topic + ":" + p, ends.get(new TopicPartition(topic, p)) + 1_000); // reflects "more"
        }
        return offsets;
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * A shop's history over 40 products (or as many as given) in two warehouses: receipts, orders, cancellations, returns, holds that
     * outlive the test (some released in part or whole, some consumed by their order), and redeliveries.
     */
    static List<InventoryEvent> history(Random random, int n) {
        return history(random, n, 40);
    }

    /** As {@link #history(Random, int)} over this many products. */
    static List<InventoryEvent> history(Random random, int n, int products) {
        List<InventoryEvent> out = new ArrayList<>(n);
        Instant expires = T.plus(Duration.ofDays(3650));
        for (int i = 0; i < n; i++) {
            String product = "SKU-" + random.nextInt(products), warehouse = "WH-" + (1 + random.nextInt(2));
            Instant at = T.plusSeconds(i);
            int kind = random.nextInt(10);
            InventoryEvent e = switch (kind) {
                case 0, 1, 2 -> InventoryEvent.stockReceived("R-" + i, product, warehouse, 1 + random.nextInt(20), at);
                case 3, 4 -> InventoryEvent.orderPlaced("O-" + i, product, warehouse, 1 + random.nextInt(3), at);
                case 5 -> InventoryEvent.orderCancelled("O-" + i, product, warehouse, 1, at);
                case 6 -> InventoryEvent.returnReceived("RET-" + i, product, warehouse, 1, at);
                case 7 -> InventoryEvent.reservationHeld("H-" + i, product, warehouse, 2, at).withExpiresAt(expires);
                case 8 -> out.isEmpty() ? InventoryEvent.stockReceived("R-" + i, product, warehouse, 1, at)
                        : endOfAHold(out, random, at, i);
                default -> out.isEmpty() ? InventoryEvent.stockReceived("R-" + i, product, warehouse, 1, at)
                        : out.get(random.nextInt(out.size())); // a redelivery
            };
            out.add(e);
        }
        return out;
    }

    private static InventoryEvent endOfAHold(List<InventoryEvent> so, Random random, Instant at, int i) {
        for (int tries = 0; tries < 20; tries++) {
            InventoryEvent h = so.get(random.nextInt(so.size()));
            if (h.kind() == dev.inventoryledger.core.EventKind.RESERVATION_HELD) {
                return random.nextBoolean()
                        ? InventoryEvent.reservationReleased(h.reservationId(), h.productId(), h.warehouseId(),
                        1 + random.nextInt(2), at)
                        : InventoryEvent.orderPlaced("OH-" + i, h.productId(), h.warehouseId(), 2, at)
                        .withReservationId(h.reservationId());
            }
        }
        return InventoryEvent.returnReceived("RET-" + i, "SKU-0", "WH-1", 1, at);
    }

    static InventoryLedger fold(List<InventoryEvent> history) {
        InventoryLedger fold = InventoryLedger.builder().build();
        history.forEach(fold::apply);
        return fold;
    }

    static List<Position> sorted(List<Position> positions) {
        List<Position> out = new ArrayList<>(positions);
        out.sort(Comparator.comparing(Position::productId).thenComparing(Position::warehouseId));
        return out;
    }

    static KafkaProducer<byte[], byte[]> producer() {
        return producer(broker);
    }

    static KafkaProducer<byte[], byte[]> producer(InProcessBroker broker) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "linger.ms", 5,
                "enable.idempotence", true, "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void publish(KafkaProducer<byte[], byte[]> shop, TestTopics t, List<InventoryEvent> events) {
        for (InventoryEvent e : events) {
            shop.send(new ProducerRecord<>(t.of(e.kind()), e.productId().getBytes(StandardCharsets.UTF_8),
                    EventCodec.encode(e)));
        }
        shop.flush();
    }

    /** Waits until the feed has read every partition to its end now. */
    static void awaitRead(KafkaInventoryFeed feed, TestTopics t) throws Exception {
        Map<TopicPartition, Long> ends = t.broker.endOffsets(t.eventTopics());
        assertThat(InProcessBroker.await(() -> ends.entrySet().stream()
                .allMatch(e -> feed.appliedOffsets().getOrDefault(e.getKey(), 0L) >= e.getValue()), BOUND))
                .as("the feed read everything: %s of %s", feed.appliedOffsets(), ends).isTrue();
    }
}
