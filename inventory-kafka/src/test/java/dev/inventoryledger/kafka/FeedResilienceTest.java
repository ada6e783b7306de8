package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.kafka.internal.EventCodec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feed when the cluster changes under it: the broker restarts, partitions are added, a burst arrives.
 * Against a real in-process broker of its own (one test restarts it). Each test uses its own topic names.
 */
class FeedResilienceTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Instant MORNING = Instant.parse("2026-11-25T08:00:00Z");
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(); // one per class, started before its tests

    @Test
    void brokerRestartMidStreamLosesNothingAndDoublesNothing() throws Exception {
        TestTopics t = new TestTopics(broker, 2);
        InventoryLedger ledger = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExecutorService handOver = Executors.newSingleThreadExecutor();
        try (KafkaInventoryFeed feed = t.feed(ledger).meterRegistry(registry)
                .partitionCheckInterval(Duration.ofMillis(200)).build(); // also checks while the broker is away
             EventWriter shop = new EventWriter(t)) {
            feed.start();
            awaitAcks(shop.write(300));
            assertThat(InProcessBroker.await(() -> records(registry, "applied") > 0, BOUND))
                    .as("the feed reads before the broker goes").isTrue();

            broker.stop();
            Future<List<Future<RecordMetadata>>> whileDown;
            try {
                // Kafka 4 clients rebootstrap when no broker answers (metadata.recovery.strategy=rebootstrap) and so
                // forget the topics: the first records go to the producer's buffer at once, later send() calls wait
                // for metadata in the caller (up to max.block.ms). Hence another thread hands them over.
                whileDown = handOver.submit(() -> shop.write(300));
                // The broker stays away for a while: long enough for the feed's consumer to lose its connection,
                // fail fetches and metadata refreshes, rebootstrap, retry in vain (backing off up to 1 s) and run
                // several partition checks. Nothing outside the feed shows when that has happened, so this is the
                // one fixed wait; meanwhile the feed must stay up. It costs no time: startAgain() returns only
                // once the old registration's session (9 s from the shutdown) has expired.
                long awayUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < awayUntil) {
                    assertThat(feed.failure()).isNull();
                    assertThat(feed.isRunning()).isTrue();
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                assertThat(shop.handed.get()).as("records handed over while the broker is away").isGreaterThan(300);
                assertThat(shop.acknowledged.get()).as("none written while the broker is away").isEqualTo(300);
            } finally {
                broker.startAgain(); // also when an assertion above failed: the other tests need the broker
            }

            awaitAcks(whileDown.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            awaitAcks(shop.write(300));
            List<InventoryEvent> events = shop.events;
            Map<TopicPartition, Long> ends = broker.endOffsets(t.eventTopics());
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum())
                    .as("the producer wrote each event once").isEqualTo(events.size());
            assertThat(InProcessBroker.await(() -> feed.appliedOffsets().equals(ends) && feed.lag() == 0
                    || feed.failure() != null, BOUND))
                    .as("the feed read up to the end of every partition: %s, ends %s, lag %s", feed.appliedOffsets(),
                            ends, feed.lag()).isTrue();

            assertThat(feed.failure()).isNull();
            assertThat(feed.isRunning()).isTrue();
            assertThat(records(registry, "applied")).isEqualTo(events.size());
            assertThat(records(registry, "duplicate")).isZero();
            assertThat(records(registry, "conflict")).isZero();
            assertThat(records(registry, "dead_lettered")).isZero();
            assertThat(positions(ledger)).isEqualTo(positions(directFold(events)));
        } finally {
            handOver.shutdownNow();
        }
    }

    @Test
    void partitionsAddedWhileRunningStopTheFeedSayingWhy() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).clientProperty("metadata.max.age.ms", 500)
                .partitionCheckInterval(Duration.ofMillis(200)).build()) {
            feed.start();
            assertThat(feed.appliedOffsets()).hasSize(5);

            broker.addPartitions(t.receipts, 3);

            assertThat(InProcessBroker.await(() -> feed.state() == FeedState.FAILED, BOUND))
                    .as("the feed stops once it sees the new count: %s", feed.status()).isTrue();
            assertThat(feed.failure()).hasMessageContaining("topic " + t.receipts + " has 3 partitions")
                    .hasMessageContaining("has 1").hasMessageContaining("create new topics with the new count");
            assertThat(feed.isRunning()).isFalse();
        }
    }

    @Test
    void lagFallsToZeroAndTheRateIsReportedAfterABurst() throws Exception {
        TestTopics t = new TestTopics(broker, 2);
        InventoryLedger ledger = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = t.feed(ledger).meterRegistry(registry).build();
             EventWriter shop = new EventWriter(t)) {
            feed.start();
            Gauge lag = registry.get("inventory.feed.lag").gauge();
            Gauge rate = registry.get("inventory.feed.records.per.second").gauge();

            awaitAcks(shop.write(4_000));
            Map<TopicPartition, Long> ends = broker.endOffsets(t.eventTopics());
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4_000);

            // The rate covers the last second or so: sample it while waiting for the feed to catch up.
            AtomicBoolean rateSeen = new AtomicBoolean();
            assertThat(InProcessBroker.await(() -> {
                if (rate.value() > 0) {
                    rateSeen.set(true);
                }
                return rateSeen.get() && lag.value() == 0 && feed.lag() == 0 && feed.appliedOffsets().equals(ends);
            }, BOUND)).as("lag %s, rate seen %s, applied %s, ends %s", lag.value(), rateSeen.get(),
                    feed.appliedOffsets(), ends).isTrue();
            assertThat(records(registry, "applied")).isEqualTo(4_000);
            assertThat(feed.failure()).isNull();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * The shop's writer: an idempotent, acks=all producer of distinct events that remembers what it wrote.
     * {@code send} waits at most 60 s for metadata, and a record not acknowledged within 60 s fails its
     * acknowledgement instead of waiting for ever. One thread writes at a time.
     */
    private static final class EventWriter implements AutoCloseable {
        private final TestTopics topics;
        private final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "acks", "all", "enable.idempotence", true,
                "linger.ms", 5, "max.block.ms", 60_000, "request.timeout.ms", 10_000, "delivery.timeout.ms", 60_000),
                new ByteArraySerializer(), new ByteArraySerializer());
        /** Every event written, in order; appended by the writing thread, read once its writes are joined. */
        final List<InventoryEvent> events = new ArrayList<>();
        /** Records given to the producer's send / acknowledged by the broker; any thread reads them. */
        final AtomicInteger handed = new AtomicInteger(), acknowledged = new AtomicInteger();

        EventWriter(TestTopics topics) {
            this.topics = topics;
        }

        /**
         * Writes {@code count} more distinct events (receipts, orders, cancellations and returns over eight
         * products in three warehouses, keyed by product, which spreads them over the partitions).
         */
        List<Future<RecordMetadata>> write(int count) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(count);
            for (int n = 0; n < count; n++) {
                int i = events.size();
                String id = "E-" + i, product = "SKU-" + i % 8, warehouse = "WH-" + i % 3;
                long quantity = 1 + i % 5;
                Instant at = MORNING.plusSeconds(i);
                acks.add(write(null, switch (i % 6) {
                    case 0, 1, 2 -> InventoryEvent.stockReceived(id, product, warehouse, quantity, at);
                    case 3, 4 -> InventoryEvent.orderPlaced(id, product, warehouse, quantity, at);
                    default -> i % 12 == 5 ? InventoryEvent.orderCancelled(id, product, warehouse, quantity, at)
                            : InventoryEvent.returnReceived(id, product, warehouse, quantity, at);
                }));
            }
            return acks;
        }

        /** Writes one event to its topic, to the given partition (null: by its product). */
        Future<RecordMetadata> write(Integer partition, InventoryEvent e) {
            events.add(e);
            handed.incrementAndGet();
            return producer.send(new ProducerRecord<>(topics.of(e.kind()), partition,
                    e.productId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(e)), (written, failed) -> {
                if (failed == null) {
                    acknowledged.incrementAndGet();
                }
            });
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Waits for every acknowledgement, within {@link #BOUND} in all; a failed or late one fails the test. */
    private static void awaitAcks(List<Future<RecordMetadata>> acks) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** The events applied straight to a fresh ledger: what the feed's ledger must equal. */
    private static InventoryLedger directFold(List<InventoryEvent> events) {
        InventoryLedger reference = InventoryLedger.builder().build();
        events.forEach(reference::apply);
        return reference;
    }

    private static List<Position> positions(InventoryLedger ledger) {
        return ledger.positions().stream()
                .sorted(Comparator.comparing(Position::productId).thenComparing(Position::warehouseId)).toList();
    }

    private static double records(SimpleMeterRegistry registry, String outcome) {
        return registry.get("inventory.feed.records").tag("outcome", outcome).counter().count();
    }
}
