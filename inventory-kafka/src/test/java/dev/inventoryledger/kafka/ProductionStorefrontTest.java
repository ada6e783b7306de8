package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.kafka.internal.EventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A storefront wired as the README shows ("Topics", "A storefront on Kafka"), against a broker that does not
 * create topics by itself (the usual production setting), as the README's "Topics" asks: the topic
 * call creates what is needed; a missing topic is named at start within seconds; with the alert topic missing
 * and a sale going on, no checkout waits on Kafka; a restarted feed's start() returns with the replica equal to
 * a direct fold of the topics; the feed fails and says why when the broker is gone longer than its bound. Each
 * test names its topics with a prefix of its own.
 */
class ProductionStorefrontTest {
    /** Far above what a checkout takes here, far below what waiting on Kafka's metadata takes (30 s below). */
    private static final Duration CHECKOUT_BOUND = Duration.ofSeconds(5);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(Map.of("auto.create.topics.enable", "false"));

    /** One test's topic names: the README's, with a prefix. */
    private static final class Names {
        final String p = "s" + RUN.incrementAndGet() + "_";

        String of(EventKind kind) {
            return p + (kind.isReservation() ? EventKind.RESERVATION_HELD : kind).defaultTopic();
        }

        InventoryTopics.Builder topics() {
            InventoryTopics.Builder b = InventoryTopics.builder().bootstrapServers(broker.bootstrapServers())
                    .partitions(3).replicationFactor((short) 1).retention(Duration.ofDays(7))
                    .deadLetterTopic(p + "inventory_dead_letters").alertTopic(p + "low_stock_alerts")
                    .requestsTopic(p + "reservation_requests").snapshotTopic(p + "inventory_snapshots");
            for (EventKind k : EventKind.values()) {
                b.topic(k, of(k));
            }
            return b;
        }

        KafkaInventoryFeed.Builder feed(InventoryLedger ledger) {
            KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(broker.bootstrapServers())
                    .instanceId("storefront-test").ledger(ledger).deadLetterTopic(p + "inventory_dead_letters")
                    .startFrom(KafkaInventoryFeed.Start.EARLIEST);
            for (EventKind k : EventKind.values()) {
                b.topic(k, of(k));
            }
            return b;
        }

        InventoryEventPublisher.Builder publisher() {
            InventoryEventPublisher.Builder b = InventoryEventPublisher.builder()
                    .bootstrapServers(broker.bootstrapServers()).instanceId("storefront-test")
                    .alertTopic(p + "low_stock_alerts");
            for (EventKind k : EventKind.values()) {
                b.topic(k, of(k));
            }
            return b;
        }
    }

    @Test
    void theTopicCallCreatesEveryTopicOnceAndReportsKeyedTopicsWhosePartitionCountsDiffer() throws Exception {
        Names n = new Names();
        InventoryTopics topics = n.topics().build();
        InventoryTopics.Report first = topics.create();
        assertThat(first.created()).containsExactlyInAnyOrderElementsOf(topics.names()).hasSize(9);
        assertThat(first.existing()).isEmpty();
        assertThat(broker.topicConfig(n.p + "inventory_snapshots", "cleanup.policy")).isEqualTo("compact");
        assertThat(broker.topicConfig(n.p + "orders", "cleanup.policy")).isEqualTo("delete");
        assertThat(broker.topicConfig(n.p + "orders", "retention.ms")).isEqualTo(Long.toString(Duration.ofDays(7)
                .toMillis()));
        assertThat(first.problems()).isEmpty();
        assertThat(first.partitionCounts().values()).containsOnly(3);
        InventoryTopics.Report again = topics.create();
        assertThat(again.created()).as("existing topics are left alone").isEmpty();
        assertThat(again.existing()).containsExactlyInAnyOrderElementsOf(topics.names());

        Names other = new Names();
        broker.createTopics(5, other.of(EventKind.ORDER_PLACED)); // made by someone else, with 5 partitions
        InventoryTopics.Report mismatched = other.topics().build().create();
        assertThat(mismatched.existing()).containsExactly(other.of(EventKind.ORDER_PLACED));
        assertThat(mismatched.partitionCounts()).containsEntry(other.of(EventKind.ORDER_PLACED), 5);
        assertThat(mismatched.problems()).singleElement().asString()
                .contains("same partition count", other.of(EventKind.ORDER_PLACED) + "=5",
                        other.of(EventKind.RESERVATION_HELD) + "=3");
    }

    @Test
    void aMissingTopicIsNamedAtStartWithinSecondsAndNothingIsCreatedByReadingIt() throws Exception {
        Names n = new Names();
        broker.createTopics(3, n.of(EventKind.ORDER_PLACED), n.of(EventKind.STOCK_RECEIVED));
        KafkaInventoryFeed feed = n.feed(InventoryLedger.builder().build()).build();
        long begun = System.nanoTime();
        assertThatThrownBy(feed::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("feed failed to start: ")
                .cause().hasMessageContainingAll(n.of(EventKind.ORDER_CANCELLED), n.of(EventKind.RETURN_RECEIVED),
                        n.of(EventKind.RESERVATION_HELD), n.p + "inventory_dead_letters", "InventoryTopics.builder()")
                .hasMessageNotContaining(n.of(EventKind.ORDER_PLACED) + ",");
        assertThat(Duration.ofNanos(System.nanoTime() - begun)).as("named at once").isLessThan(Duration.ofSeconds(10));
        assertThat(feed.state()).isEqualTo(FeedState.FAILED);
        feed.close();

        try (InventoryEventPublisher publisher = n.publisher().build()) {
            assertThatThrownBy(publisher::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContainingAll("the publisher needs topics", n.p + "low_stock_alerts",
                            n.of(EventKind.RETURN_RECEIVED), "InventoryTopics.builder()");
        }
        assertThat(broker.endOffsets(List.of(n.of(EventKind.ORDER_PLACED)))).isNotEmpty();
        assertThatThrownBy(() -> broker.endOffsets(List.of(n.of(EventKind.RETURN_RECEIVED))))
                .as("no client made the missing topic by asking for it").hasStackTraceContaining("UnknownTopic");
    }

    /**
     * The alert topic is missing (deleted under the running storefront, say): the publisher's producer waits on
     * its metadata, but only the publisher's own thread waits. A sale runs on 8 threads meanwhile, its receipts
     * raising alerts; no checkout call waits anywhere near as long as the producer does.
     */
    @Test
    void withTheAlertTopicMissingNoCheckoutWaitsOnKafka() throws Exception {
        Names n = new Names();
        n.topics().build().create();
        broker.deleteTopics(n.p + "low_stock_alerts");
        InventoryLedger ledger = InventoryLedger.builder().lowStockThreshold(50).build();
        try (InventoryEventPublisher publisher = n.publisher().clientProperty("max.block.ms", 30_000).build()) {
            ledger.addLocalEventListener(publisher);
            ledger.addListener(publisher.alertSink());
            AtomicLong slowest = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String sku = "SKU-" + (i % 5), receipt = "R-" + thread + "-" + i;
                        timed(slowest, () -> ledger.apply(InventoryEvent.stockReceived(receipt, sku, "WH-1", 2,
                                T0))); // 0 -> 2 units: BACK_IN_STOCK, then LOW_STOCK alerts
                        String cart = "cart-" + thread + "-" + i;
                        timed(slowest, () -> ledger.tryReserve(sku, "WH-1", 1, cart, Duration.ofMinutes(5)));
                        timed(slowest, () -> assertThat(ledger.confirm(cart, "ORD-" + cart))
                                .isIn(HoldOutcome.CONFIRMED, HoldOutcome.UNKNOWN));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(Duration.ofNanos(slowest.get())).as("the slowest apply, tryReserve or confirm")
                    .isLessThan(CHECKOUT_BOUND);
            assertThat(publisher.queued() + (publisher.failure() == null ? 0 : 1))
                    .as("the records wait for the blocked producer, or have failed visibly").isPositive();
        }
    }

    private static void timed(AtomicLong slowest, Runnable call) {
        long begun = System.nanoTime();
        call.run();
        slowest.accumulateAndGet(System.nanoTime() - begun, Math::max);
    }

    @Test
    void aRestartedFeedsStartReturnsWithTheReplicaEqualToADirectFoldOfTheTopics(@TempDir Path dir) throws Exception {
        Names n = new Names();
        n.topics().build().create();
        Random random = new Random(7);
        InventoryLedger fold = InventoryLedger.builder().build();
        sendEvents(n, random, 400, fold);
        Path checkpoint = dir.resolve("storefront.ckpt");
        InventoryLedger first = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaInventoryFeed feed = n.feed(first).checkpoint(checkpoint).meterRegistry(registry).build()) {
            feed.start();
            assertThat(feed.state()).isEqualTo(FeedState.LIVE);
            assertThat(positions(first)).as("whole when start() returns").isEqualTo(positions(fold));
            assertThat(feed.status().lastAppliedAt()).isNotNull();
            assertThat(registry.get("inventory.feed.state").tag("state", "live").gauge().value()).isEqualTo(1);
            assertThat(registry.getMeters()).as("the consumer's own metrics, under a client id naming the instance")
                    .anySatisfy(m -> assertThat(m.getId().getName()).startsWith("kafka.consumer."))
                    .anySatisfy(m -> assertThat(m.getId().getTag("client.id"))
                            .startsWith("inventory-ledger-feed-storefront-test-"));
        }
        sendEvents(n, random, 600, fold); // written while the instance is down
        InventoryLedger restarted = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = n.feed(restarted).checkpoint(checkpoint).build()) {
            feed.start();
            assertThat(positions(restarted)).as("the restarted replica, when start() returns")
                    .isEqualTo(positions(fold));
            assertThat(feed.status().state()).isEqualTo(FeedState.LIVE);
        }
    }

    /** Random receipts, orders, cancellations, returns, holds and releases, sent and folded into {@code fold}. */
    private static void sendEvents(Names n, Random random, int count, InventoryLedger fold) throws Exception {
        for (int i = 0; i < count; i++) {
            String p = "SKU-" + random.nextInt(9), w = "WH-" + random.nextInt(2), id = "E" + RUN.get() + "-" + i;
            long q = 1 + random.nextInt(9);
            InventoryEvent e = switch (random.nextInt(6)) {
                case 0 -> InventoryEvent.orderPlaced(id, p, w, q, T0);
                case 1 -> InventoryEvent.orderCancelled(id, p, w, q, T0);
                case 2 -> InventoryEvent.returnReceived(id, p, w, q, T0);
                case 3 -> InventoryEvent.reservationHeld("R" + id, p, w, q, T0);
                case 4 -> InventoryEvent.reservationReleased("R" + id, p, w, q, T0);
                default -> InventoryEvent.stockReceived(id, p, w, q, T0);
            };
            broker.send(n.of(e.kind()), p, EventCodec.encode(e));
            fold.apply(e);
        }
    }

    private static List<Position> positions(InventoryLedger ledger) {
        List<Position> all = new ArrayList<>(ledger.positions());
        all.sort(Comparator.comparing(Position::productId).thenComparing(Position::warehouseId));
        return all;
    }

    @Test
    void theFeedFailsAndSaysWhyWhenTheBrokerIsGoneLongerThanItsBound() throws Exception {
        try (InProcessBroker own = new InProcessBroker(Map.of("auto.create.topics.enable", "false")).start()) {
            Names n = new Names();
            InventoryTopics.builder().bootstrapServers(own.bootstrapServers()).partitions(1)
                    .replicationFactor((short) 1).retention(null).deadLetterTopic(n.p + "inventory_dead_letters")
                    .topic(EventKind.ORDER_PLACED, n.of(EventKind.ORDER_PLACED))
                    .topic(EventKind.ORDER_CANCELLED, n.of(EventKind.ORDER_CANCELLED))
                    .topic(EventKind.RETURN_RECEIVED, n.of(EventKind.RETURN_RECEIVED))
                    .topic(EventKind.STOCK_RECEIVED, n.of(EventKind.STOCK_RECEIVED))
                    .topic(EventKind.RESERVATION_HELD, n.of(EventKind.RESERVATION_HELD)).build().create();
            InventoryLedger ledger = InventoryLedger.builder().build();
            KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(own.bootstrapServers())
                    .ledger(ledger).deadLetterTopic(n.p + "inventory_dead_letters").brokerTimeout(Duration.ofSeconds(4));
            for (EventKind k : EventKind.values()) {
                b.topic(k, n.of(k));
            }
            try (KafkaInventoryFeed feed = b.build()) {
                feed.start();
                assertThat(feed.state()).isEqualTo(FeedState.LIVE);
                own.stop();
                assertThat(InProcessBroker.await(() -> feed.state() == FeedState.FAILED, BOUND))
                        .as("failed within the bound and a probe").isTrue();
                assertThat(feed.failure()).hasMessageContainingAll("no broker", "brokerTimeout");
                assertThat(feed.status().failure()).isSameAs(feed.failure());
                assertThat(feed.isRunning()).isFalse();
            }
        }
    }
}
