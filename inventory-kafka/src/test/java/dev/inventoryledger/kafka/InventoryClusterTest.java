package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.kafka.internal.EventCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link InventoryCluster} with its instances in this JVM: one owner decides each product, whichever instance
 * asks; baskets across partitions are all or nothing; a repeated call returns the decision taken; a closed
 * instance's products are decided by the others. Killing and freezing real processes is
 * {@link ClusterKillAndFreezeTest}'s.
 */
class InventoryClusterTest {
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    private static final Duration TTL = Duration.ofMinutes(5);
    private final List<InventoryCluster> instances = new ArrayList<>();
    private TestTopics topics;
    private String requests;

    /** How the instances fence: {@link TransactionalClusterTest} runs every test here again with transactions. */
    Fencing fencing() {
        return Fencing.EPOCH;
    }

    @AfterEach
    void closeAll() {
        instances.forEach(InventoryCluster::close);
    }

    private void topics(int partitions) throws Exception {
        topics = new TestTopics(broker, partitions);
        requests = topics.orders + "_requests";
        broker.createTopics(partitions, requests);
    }

    private InventoryCluster instance(String name) {
        return instance(name, null);
    }

    private InventoryCluster instance(String name, java.nio.file.Path checkpoint) {
        return instance(name, checkpoint, null);
    }

    private InventoryCluster instance(String name, java.nio.file.Path checkpoint,
                                      io.micrometer.core.instrument.MeterRegistry registry) {
        InventoryCluster.Builder b = InventoryCluster.builder().bootstrapServers(broker.bootstrapServers())
                .instanceId(name).ledger(InventoryLedger.builder().build()).requestsTopic(requests)
                .groupId(requests + "-owners").deadLetterTopic(topics.deadLetters).snapshotTopic(topics.snapshots)
                .requestTimeout(Duration.ofSeconds(20)).fencing(fencing());
        for (EventKind kind : EventKind.values()) {
            b.topic(kind, topics.of(kind));
        }
        if (checkpoint != null) {
            b.checkpoint(checkpoint);
        }
        if (registry != null) {
            b.meterRegistry(registry);
        }
        InventoryCluster c = b.build();
        instances.add(c);
        c.start();
        return c;
    }

    private void receive(String product, long units) throws Exception {
        broker.send(topics.receipts, product, EventCodec.encode(InventoryEvent.stockReceived("R-" + product, product,
                "WH-1", units, Instant.parse("2026-12-01T10:00:00Z"))));
    }

    /** Waits until every instance's replica has read the stock: an owner decides against its own replica. */
    private void awaitSellable(String product, long units) {
        assertThat(InProcessBroker.await(() -> instances.stream().filter(c -> c.state() == FeedState.LIVE)
                .allMatch(c -> c.ledger().sellable(product, "WH-1") == units), Duration.ofSeconds(30)))
                .as("every replica has %s's stock", product).isTrue();
    }

    /**
     * A user's mistake made impossible: the ledger's own decisions beside a running cluster would hold and sell
     * units no other instance knows of. They are refused, naming the cluster's call, and change nothing.
     */
    @Test
    void theClustersLedgerRefusesDecisionsCalledOnItDirectly() throws Exception {
        topics(2);
        InventoryCluster a = instance("a");
        receive("SKU-D", 10);
        awaitSellable("SKU-D", 10);
        InventoryLedger ledger = a.ledger();
        assertThatThrownBy(() -> ledger.tryReserve("SKU-D", "WH-1", 8, "cart-d", TTL))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("call the cluster's tryReserve(...)");
        assertThatThrownBy(() -> ledger.tryReserve("cart-d", List.of(ReservationLine.of("SKU-D", "WH-1", 8)), TTL))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ledger.confirm("cart-d", "ORD-D")).hasMessageContaining("confirm(...)");
        assertThatThrownBy(() -> ledger.release("cart-d")).hasMessageContaining("release(...)");
        assertThatThrownBy(() -> ledger.extend("cart-d", TTL)).hasMessageContaining("extend(...)");
        assertThat(ledger.sellable("SKU-D", "WH-1")).as("nothing changed").isEqualTo(10);
        // the cluster's own calls still decide
        assertThat(a.tryReserve("cart-d", List.of(ReservationLine.of("SKU-D", "WH-1", 8)), TTL).get(30,
                java.util.concurrent.TimeUnit.SECONDS).accepted()).isTrue();
        assertThat(a.confirm("cart-d", "ORD-D").get(30, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(dev.inventoryledger.core.HoldOutcome.CONFIRMED);
        assertThat(ledger.available("SKU-D", "WH-1")).isEqualTo(2);
    }

    @Test
    void aLedgerThatAlreadyHoldsStateIsRefusedAtStartAndBrokersMayComeAsAClientProperty() throws Exception {
        topics(2);
        InventoryLedger used = InventoryLedger.builder().build();
        used.apply(InventoryEvent.stockReceived("R-LOCAL", "SKU-L", "WH-1", 5, Instant.parse("2026-12-01T10:00:00Z")));
        InventoryCluster.Builder b = InventoryCluster.builder().clientProperty("bootstrap.servers",
                        broker.bootstrapServers()).instanceId("u").ledger(used).requestsTopic(requests)
                .groupId(requests + "-owners").deadLetterTopic(topics.deadLetters).snapshotTopic(topics.snapshots);
        for (EventKind kind : EventKind.values()) {
            b.topic(kind, topics.of(kind));
        }
        try (InventoryCluster c = b.build()) { // the brokers only as a client property: accepted
            assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must be new and empty, but it has 1 positions");
        }
        b.ledger(InventoryLedger.builder().build());
        try (InventoryCluster c = b.build()) {
            c.start();
            assertThat(c.state()).isEqualTo(FeedState.LIVE);
        }
    }

    @Test
    void instancesTogetherHoldEachUnitOnce() throws Exception {
        topics(4);
        List<InventoryCluster> three = List.of(instance("a"), instance("b"), instance("c"));
        receive("HOT", 25);
        assertThat(InProcessBroker.await(() -> three.stream().allMatch(c -> c.ledger().sellable("HOT", "WH-1") == 25),
                Duration.ofSeconds(30))).isTrue();
        ConcurrentLinkedQueue<ReservationResult> results = new ConcurrentLinkedQueue<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        List<java.util.concurrent.Future<?>> buyers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int buyer = t;
            buyers.add(pool.submit(() -> {
                InventoryCluster c = three.get(buyer % 3);
                for (int i = 0; i < 20; i++) {
                    results.add(c.tryReserve("cart-" + buyer + "-" + i, List.of(ReservationLine.of("HOT", "WH-1", 1)),
                            TTL).get(30, TimeUnit.SECONDS));
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : buyers) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(results).hasSize(120).noneMatch(r -> r.status() == ReservationResult.Status.OUTCOME_UNKNOWN);
        assertThat(results.stream().filter(ReservationResult::accepted)).hasSize(25);
        for (InventoryCluster c : three) {
            assertThat(InProcessBroker.await(() -> c.ledger().held("HOT", "WH-1") == 25, Duration.ofSeconds(10)))
                    .as("held at %s", c).isTrue();
            assertThat(c.ledger().sellable("HOT", "WH-1")).isZero();
        }
        ReservationResult one = results.stream().filter(ReservationResult::accepted).findFirst().orElseThrow();
        assertThat(three.get(2).confirm(one.reservationId(), "ORD-1").get(30, TimeUnit.SECONDS))
                .isEqualTo(HoldOutcome.CONFIRMED);
        assertThat(three.get(1).confirm(one.reservationId(), "ORD-1").get(30, TimeUnit.SECONDS))
                .isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
        assertThat(InProcessBroker.await(() -> three.stream().allMatch(c -> c.ledger().available("HOT", "WH-1") == 24
                && c.ledger().held("HOT", "WH-1") == 24), Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aRepeatedCallReturnsTheDecisionTaken() throws Exception {
        topics(2);
        InventoryCluster a = instance("a"), b = instance("b");
        receive("SKU-R", 3);
        awaitSellable("SKU-R", 3);
        List<ReservationLine> two = List.of(ReservationLine.of("SKU-R", "WH-1", 2));
        assertThat(a.tryReserve("cart-r", two, TTL).get(30, TimeUnit.SECONDS).status())
                .isEqualTo(ReservationResult.Status.ACCEPTED);
        assertThat(b.tryReserve("cart-r", two, TTL).get(30, TimeUnit.SECONDS).status())
                .isEqualTo(ReservationResult.Status.ALREADY_HELD);
        assertThat(a.ledger().held("SKU-R", "WH-1")).isEqualTo(2);
        assertThat(b.release("cart-r").get(30, TimeUnit.SECONDS)).isEqualTo(HoldOutcome.RELEASED);
        assertThat(a.release("cart-r").get(30, TimeUnit.SECONDS)).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        assertThat(b.ledger().sellable("SKU-R", "WH-1")).isEqualTo(3);
    }

    @Test
    void aBasketAcrossOwnersIsAllOrNothing() throws Exception {
        topics(4);
        InventoryCluster a = instance("a"), b = instance("b");
        List<String> products = List.of("P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7", "P-8");
        for (String p : products) {
            receive(p, p.equals("P-8") ? 1 : 5);
        }
        for (String p : products) {
            awaitSellable(p, p.equals("P-8") ? 1 : 5);
        }
        List<ReservationLine> basket = products.stream().map(p -> ReservationLine.of(p, "WH-1", 2)).toList();
        ReservationResult refused = a.tryReserve("cart-all", basket, TTL).get(30, TimeUnit.SECONDS);
        assertThat(refused.status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
        assertThat(refused.shortfalls()).extracting(ReservationResult.Shortfall::productId).containsExactly("P-8");
        assertThat(InProcessBroker.await(() -> products.stream().allMatch(p -> a.ledger().held(p, "WH-1") == 0
                && b.ledger().held(p, "WH-1") == 0), Duration.ofSeconds(10))).as("parts held were released").isTrue();

        List<ReservationLine> fits = basket.subList(0, 7);
        ReservationResult held = b.tryReserve("cart-fits", fits, TTL).get(30, TimeUnit.SECONDS);
        assertThat(held.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
        assertThat(held.allocations()).hasSize(7);
        assertThat(products.subList(0, 7)).allMatch(p -> b.ledger().held(p, "WH-1") == 2);
        assertThat(a.confirm("cart-fits", "ORD-F").get(30, TimeUnit.SECONDS)).isEqualTo(HoldOutcome.CONFIRMED);
        assertThat(InProcessBroker.await(() -> products.subList(0, 7).stream().allMatch(p ->
                a.ledger().available(p, "WH-1") == 3 && a.ledger().held(p, "WH-1") == 0), Duration.ofSeconds(10)))
                .isTrue();
    }

    @Test
    void aClosedInstancesProductsAreDecidedByTheOthers() throws Exception {
        topics(2);
        InventoryCluster a = instance("a"), b = instance("b");
        receive("SKU-C", 4);
        awaitSellable("SKU-C", 4);
        InventoryCluster owner = a.ownedPartitions() == 2 ? a : b.ownedPartitions() == 2 ? b : null;
        InventoryCluster other = owner == a ? b : a;
        assertThat(a.tryReserve("c-1", List.of(ReservationLine.of("SKU-C", "WH-1", 1)), TTL).get(30, TimeUnit.SECONDS)
                .accepted()).isTrue();
        (owner != null ? owner : a).close();
        InventoryCluster left = owner != null ? other : b;
        assertThat(InProcessBroker.await(() -> left.ownedPartitions() == 2, Duration.ofSeconds(20))).isTrue();
        assertThat(left.tryReserve("c-2", List.of(ReservationLine.of("SKU-C", "WH-1", 3)), TTL)
                .get(30, TimeUnit.SECONDS).status()).isEqualTo(ReservationResult.Status.ACCEPTED);
        assertThat(left.tryReserve("c-3", List.of(ReservationLine.of("SKU-C", "WH-1", 1)), TTL)
                .get(30, TimeUnit.SECONDS).status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
    }

    @Test
    void theOwnerPublishesTheReleaseOfALapsedHoldOnce() throws Exception {
        topics(2);
        InventoryCluster a = instance("a"), b = instance("b");
        receive("SKU-L", 5);
        awaitSellable("SKU-L", 5);
        assertThat(b.tryReserve("lapsing", List.of(ReservationLine.of("SKU-L", "WH-1", 2)), Duration.ofMillis(200))
                .get(30, TimeUnit.SECONDS).accepted()).isTrue();
        assertThat(b.tryReserve("kept", List.of(ReservationLine.of("SKU-L", "WH-1", 1)), TTL)
                .get(30, TimeUnit.SECONDS).accepted()).isTrue();
        assertThat(b.release("kept", List.of(ReservationLine.of("SKU-L", "WH-1", 1))).get(30, TimeUnit.SECONDS))
                .isEqualTo(HoldOutcome.RELEASED);
        java.util.function.Supplier<List<InventoryEvent>> released = () -> broker.readToEnd(topics.reservations)
                .stream().filter(r -> r.value() != null).map(r -> {
                    try {
                        return new EventCodec(1 << 20).decode(EventKind.RESERVATION_HELD, r.value());
                    } catch (EventCodec.Refused e) {
                        throw new AssertionError(e);
                    }
                }).filter(e -> e.kind() == EventKind.RESERVATION_RELEASED).toList();
        assertThat(InProcessBroker.await(() -> released.get().stream().anyMatch(e -> e.id().equals("lapsing")),
                Duration.ofSeconds(20))).as("the lapsed hold's release in the history").isTrue();
        Thread.sleep(1_500); // a few more looks for lapsed holds: the same one is not told again
        List<InventoryEvent> all = released.get();
        assertThat(all).filteredOn(e -> e.id().equals("lapsing")).singleElement()
                .satisfies(e -> assertThat(e.quantity()).isEqualTo(2));
        assertThat(all).filteredOn(e -> e.id().equals("kept")).hasSize(1); // the caller's own release only
        assertThat(a.ledger().sellable("SKU-L", "WH-1")).isEqualTo(5);
    }

    @Test
    void anInstanceRestartsFromItsCheckpointAndDecidesOn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        topics(2);
        java.nio.file.Path file = dir.resolve("a.checkpoint");
        InventoryCluster a = instance("a", file), b = instance("b");
        receive("SKU-K", 6);
        awaitSellable("SKU-K", 6);
        for (int i = 0; i < 4; i++) {
            InventoryCluster asker = i % 2 == 0 ? a : b;
            assertThat(asker.tryReserve("k-" + i, List.of(ReservationLine.of("SKU-K", "WH-1", 1)), TTL)
                    .get(30, TimeUnit.SECONDS).accepted()).isTrue();
        }
        assertThat(a.confirm("k-0", "ORD-K").get(30, TimeUnit.SECONDS)).isEqualTo(HoldOutcome.CONFIRMED);
        a.close();
        assertThat(file).exists();
        InventoryCluster again = instance("a", file);
        assertThat(again.ledger().available("SKU-K", "WH-1")).isEqualTo(5);
        assertThat(again.ledger().held("SKU-K", "WH-1")).isEqualTo(3);
        assertThat(again.ledger().sellable("SKU-K", "WH-1")).isEqualTo(b.ledger().sellable("SKU-K", "WH-1"));
        assertThat(again.tryReserve("k-9", List.of(ReservationLine.of("SKU-K", "WH-1", 3)), TTL)
                .get(30, TimeUnit.SECONDS).status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
        assertThat(again.tryReserve("k-1", List.of(ReservationLine.of("SKU-K", "WH-1", 1)), TTL)
                .get(30, TimeUnit.SECONDS).status()).as("a repeat after the restart").isEqualTo(
                ReservationResult.Status.ALREADY_HELD);
    }

    @Test
    void itsMetersCountCallsByWhereTheyWereDecided() throws Exception {
        topics(2);
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        InventoryCluster a = instance("a", null, registry), b = instance("b");
        List<String> products = List.of("M-1", "M-2", "M-3", "M-4", "M-5", "M-6");
        for (String p : products) {
            receive(p, 10);
        }
        for (String p : products) {
            awaitSellable(p, 10);
        }
        assertThat(InProcessBroker.await(() -> a.ownedPartitions() == 1 && b.ownedPartitions() == 1
                && products.stream().allMatch(p -> a.owns(p) || b.owns(p)), Duration.ofSeconds(20)))
                .as("one partition each, claimed").isTrue();
        for (String p : products) {
            assertThat(a.tryReserve("m-" + p, List.of(ReservationLine.of(p, "WH-1", 1)), TTL)
                    .get(30, TimeUnit.SECONDS).accepted()).isTrue();
        }
        long local = products.stream().filter(a::owns).count();
        assertThat(local).as("products of each partition").isBetween(1L, 5L);
        java.util.function.ToLongFunction<String> calls = where -> registry.find("inventory.cluster.calls")
                .tags("op", "hold", "where", where, "outcome", "accepted").timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
        assertThat(calls.applyAsLong("local")).isEqualTo(local);
        assertThat(calls.applyAsLong("remote")).isEqualTo(products.size() - local);
        assertThat(registry.get("inventory.cluster.partitions.owned").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("inventory.cluster.waiting").gauge().value()).isZero();
        assertThat(registry.get("inventory.cluster.fenced.records").gauge().value()).isZero();
        assertThat(registry.get("inventory.feed.state").tag("state", "live").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void argumentsTheOwnerRefusesFailTheCallNamingTheFieldAndChangeNothing() throws Exception {
        topics(2);
        InventoryCluster a = instance("a"), b = instance("b");
        receive("SKU-E", 5);
        awaitSellable("SKU-E", 5);
        assertThat(InProcessBroker.await(() -> a.owns("SKU-E") || b.owns("SKU-E"), Duration.ofSeconds(20))).isTrue();
        InventoryCluster remote = a.owns("SKU-E") ? b : a; // its calls on SKU-E go to the other's owner loop
        assertThat(remote.tryReserve("e-1", List.of(ReservationLine.of("SKU-E", "WH-1", 2)), TTL)
                .get(30, TimeUnit.SECONDS).accepted()).isTrue();
        // answered by the owner: a request left unanswered would complete OUTCOME_UNKNOWN, not fail
        assertThatThrownBy(() -> remote.release("e-1", List.of(ReservationLine.of("SKU-E", "WH-1", 3)))
                .get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.inventoryledger.core.InvalidEventException.class)
                .hasMessageContaining("quantity 3 of product SKU-E at WH-1 is more than reservation e-1 holds there (2)");
        assertThat(remote.ledger().held("SKU-E", "WH-1")).isEqualTo(2);
        assertThatThrownBy(() -> remote.confirm("e-1", " ")).isInstanceOf(
                dev.inventoryledger.core.InvalidEventException.class).hasMessageContaining("order_id");
    }
}
