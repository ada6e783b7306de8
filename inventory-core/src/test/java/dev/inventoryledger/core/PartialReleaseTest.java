package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.inventoryledger.core.InventoryEvent.reservationHeld;
import static dev.inventoryledger.core.InventoryEvent.reservationReleased;
import static dev.inventoryledger.core.InventoryEvent.stockReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code released} of another quantity than its hold (the README, "What the core does"): fewer units leave
 * the rest held with the same expiry; more end the hold and are reported as a conflict; the same rules when the
 * release comes before its hold; in process, {@code release(reservationId, lines)} releases part of a hold and
 * its echo counts once. The SQL oracle properties check the same rules against SQL over random histories.
 */
class PartialReleaseTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(15);

    private final ManualClock clock = new ManualClock(T);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<InventoryEvent> told = Collections.synchronizedList(new ArrayList<>());
    private final InventoryLedger ledger = InventoryLedger.builder().clock(clock).meterRegistry(registry)
            .localEventListener(told::addAll).build();

    private double events(String kind, String outcome) {
        return registry.get("inventory.events").tag("kind", kind).tag("outcome", outcome).counter().count();
    }

    private static InventoryEvent held(String reservation, long q, Instant expiresAt) {
        return reservationHeld(reservation, "SKU-1", "WH-1", q, T).withExpiresAt(expiresAt);
    }

    private static InventoryEvent released(String reservation, long q) {
        return reservationReleased(reservation, "SKU-1", "WH-1", q, T);
    }

    @Nested
    class FromEvents {
        @Test
        void aReleaseOfFewerUnitsThanHeldLeavesTheRestHeldWithItsExpiry() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 20, T));
            ledger.apply(held("RES-1", 5, T.plus(TTL)));
            assertThat(ledger.apply(released("RES-1", 3))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(2);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(18);
            clock.set(T.plus(TTL).minusNanos(1));
            assertThat(ledger.held("SKU-1", "WH-1")).as("still held just before its expiry").isEqualTo(2);
            clock.set(T.plus(TTL));
            assertThat(ledger.held("SKU-1", "WH-1")).as("the rest lapses at the same expiry").isZero();
            assertThat(ledger.audit().isClean()).isTrue();
        }

        @Test
        void aReleaseOfMoreThanHeldEndsTheHoldAndIsReportedAsAConflictOnce() {
            ledger.apply(held("RES-1", 5, null));
            assertThat(ledger.apply(released("RES-1", 7))).isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.sellable("SKU-1", "WH-1")).as("the extra is not un-held").isZero();
            assertThat(events("reservation_released", "conflict")).isEqualTo(1);
            assertThat(ledger.apply(released("RES-1", 7))).as("its redelivery").isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(ledger.release("RES-1")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        }

        @Test
        void aReleaseOfExactlyWhatIsHeldEndsTheHoldQuietly() {
            ledger.apply(held("RES-1", 5, null));
            assertThat(ledger.apply(released("RES-1", 5))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.release("RES-1")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        }

        @Test
        void aReleaseBeforeItsHoldNetsByTheSameRules() {
            assertThat(ledger.apply(released("RES-1", 3))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).as("counts zero until the hold arrives").isZero();
            assertThat(ledger.apply(held("RES-1", 5, null))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(2);

            assertThat(ledger.apply(reservationReleased("RES-2", "SKU-1", "WH-2", 7, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(reservationHeld("RES-2", "SKU-1", "WH-2", 5, T)))
                    .as("the held that reveals the over-release is the one reported").isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.held("SKU-1", "WH-2")).isZero();
            assertThat(events("reservation_held", "conflict")).isEqualTo(1);
            assertThat(ledger.audit().isClean()).isTrue();
        }

        @Test
        void releasesWithEventIdsOfTheirOwnAddUpAndTheOneThatOverflowsIsTheConflict() {
            ledger.apply(held("RES-1", 5, null));
            assertThat(ledger.apply(released("RES-1", 2).withEventId("E-1"))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(released("RES-1", 2).withEventId("E-2"))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(1);
            assertThat(ledger.apply(released("RES-1", 2).withEventId("E-3"))).isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.apply(released("RES-1", 1).withEventId("E-4")))
                    .as("already over: reported once").isEqualTo(ApplyOutcome.APPLIED);
        }

        @Test
        void aReleaseAfterTheHoldLapsedIsNoConflictUnlessItIsMoreThanTheHoldHad() {
            ledger.apply(held("RES-1", 5, T.plusSeconds(1)));
            clock.advance(Duration.ofSeconds(2));
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.apply(released("RES-1", 5))).as("the cart gave up after the lapse")
                    .isEqualTo(ApplyOutcome.APPLIED);
            ledger.apply(held("RES-2", 5, T.plusSeconds(1)));
            assertThat(ledger.apply(reservationReleased("RES-2", "SKU-1", "WH-1", 6, T)))
                    .isEqualTo(ApplyOutcome.CONFLICT);
        }

        @Test
        void anOrderConsumingTheHoldAfterAPartialReleaseEndsTheRest() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 20, T));
            ledger.apply(held("RES-1", 5, null));
            ledger.apply(released("RES-1", 2));
            ledger.apply(InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 3, T).withReservationId("RES-1"));
            assertThat(ledger.position("SKU-1", "WH-1")).extracting(Position::available, Position::held)
                    .containsExactly(17L, 0L);

            // the same three the other way round: the release, then the order, then the held
            ledger.apply(released("RES-2", 2));
            ledger.apply(InventoryEvent.orderPlaced("ORD-2", "SKU-1", "WH-1", 3, T).withReservationId("RES-2"));
            assertThat(ledger.apply(held("RES-2", 5, null))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.position("SKU-1", "WH-1")).extracting(Position::available, Position::held)
                    .containsExactly(14L, 0L);
            assertThat(ledger.audit().isClean()).isTrue();
        }
    }

    @Nested
    class InProcess {
        private final List<ReservationLine> two = List.of(ReservationLine.of("SKU-1", "WH-1", 2));

        @Test
        void releasingPartOfAHoldGivesTheUnitsBackAndKeepsTheRestUntilItsExpiry() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            assertThat(ledger.release("cart", two)).isEqualTo(HoldOutcome.RELEASED);
            assertThat(ledger.position("SKU-1", "WH-1")).extracting(Position::held, Position::sellable)
                    .containsExactly(3L, 7L);
            clock.set(T.plus(TTL));
            assertThat(ledger.held("SKU-1", "WH-1")).as("the rest lapses when the hold would have").isZero();
            assertThat(ledger.confirm("cart", "ORD-1")).as("re-taken after the lapse")
                    .isEqualTo(HoldOutcome.CONFIRMED_AFTER_EXPIRY);
            assertThat(ledger.available("SKU-1", "WH-1")).as("sold what was still held: 3").isEqualTo(7);
        }

        @Test
        void aConfirmAfterAPartialReleaseSellsWhatIsStillHeld() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            ledger.release("cart", two);
            told.clear();
            assertThat(ledger.confirm("cart", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1")).extracting(Position::available, Position::held)
                    .containsExactly(7L, 0L);
            assertThat(told).containsExactly(InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 3, T)
                            .withReservationId("cart"),
                    InventoryEvent.reservationReleased("cart", "SKU-1", "WH-1", 3, T)
                            .withEventId("cart@WH-1#released-for-ORD-1"));
        }

        @Test
        void releasingAllAHoldHoldsInPartsEndsIt() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 4, "cart", TTL);
            ledger.release("cart", two);
            assertThat(ledger.release("cart", two)).isEqualTo(HoldOutcome.RELEASED);
            assertThat(ledger.activeHolds()).isZero();
            assertThat(ledger.release("cart", two)).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            assertThat(ledger.release("cart")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        }

        @Test
        void aPartNamingMoreThanIsHeldOrNoWarehouseIsRefusedAndChangesNothing() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 3, "cart", TTL);
            assertThatThrownBy(() -> ledger.release("cart", List.of(ReservationLine.of("SKU-1", "WH-1", 4))))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("quantity 4")
                    .hasMessageContaining("holds there (3)");
            assertThatThrownBy(() -> ledger.release("cart", List.of(ReservationLine.of("SKU-1", "WH-2", 1))))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("holds there (0)");
            assertThatThrownBy(() -> ledger.release("cart", List.of(ReservationLine.anyWarehouse("SKU-1", 1))))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("warehouse_id must be given to "
                            + "release part of a basket");
            assertThatThrownBy(() -> ledger.release("cart", List.of())).isInstanceOf(InvalidEventException.class)
                    .hasMessageContaining("lines must name at least one line");
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
            assertThat(ledger.release("nobody", two)).isEqualTo(HoldOutcome.UNKNOWN);
        }

        @Test
        void eachReleaseIsToldOnceWithAnIdentityOfItsOwnAndEchoesAsADuplicateWhileAPeerAgrees() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            InventoryLedger peer = InventoryLedger.builder().clock(clock).build();
            peer.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            ledger.release("cart", two);
            ledger.release("cart", List.of(ReservationLine.of("SKU-1", "WH-1", 1)));
            ledger.release("cart");
            assertThat(told).containsExactly(
                    reservationHeld("cart", "SKU-1", "WH-1", 5, T).withExpiresAt(T.plus(TTL)),
                    released("cart", 2),
                    released("cart", 1).withEventId("cart@WH-1#released-3"),
                    released("cart", 2).withEventId("cart@WH-1#released-5"));
            for (InventoryEvent e : told) {
                assertThat(peer.apply(e)).as("peer applies %s", e).isEqualTo(ApplyOutcome.APPLIED);
                assertThat(peer.position("SKU-1", "WH-1")).isNotNull();
            }
            Position mine = ledger.position("SKU-1", "WH-1");
            assertThat(peer.position("SKU-1", "WH-1")).isEqualTo(mine);
            for (InventoryEvent e : List.copyOf(told)) {
                assertThat(ledger.apply(e)).as("echo of %s", e).isEqualTo(ApplyOutcome.DUPLICATE);
            }
            assertThat(ledger.position("SKU-1", "WH-1")).isEqualTo(mine);
        }

        @Test
        void anExtensionAfterAPartialReleaseStillReachesPeers() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            InventoryLedger peer = InventoryLedger.builder().clock(clock).build();
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            ledger.release("cart", two);
            ledger.extend("cart", TTL.multipliedBy(2));
            assertThat(told.get(told.size() - 1))
                    .isEqualTo(reservationHeld("cart", "SKU-1", "WH-1", 5, T).withExpiresAt(T.plus(TTL.multipliedBy(2))));
            for (InventoryEvent e : told) {
                peer.apply(e);
            }
            clock.set(T.plus(TTL).plusSeconds(1));
            assertThat(peer.held("SKU-1", "WH-1")).as("extended at the peer too").isEqualTo(3);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
        }
    }

    @Nested
    class Checkpoints {
        @TempDir
        Path dir;

        @Test
        void aPartlyReleasedHoldSurvivesACheckpointWithWhatItReleased() throws IOException {
            ledger.apply(held("RES-1", 5, T.plus(TTL)));
            ledger.apply(released("RES-1", 2));
            ledger.checkpoint(dir.resolve("c"));
            InventoryLedger restored = InventoryLedger.builder().clock(clock).build();
            restored.restore(dir.resolve("c"));
            assertThat(restored.held("SKU-1", "WH-1")).isEqualTo(3);
            assertThat(restored.apply(released("RES-1", 4).withEventId("E-9")))
                    .as("2 + 4 > 5, counted across the restore").isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(restored.audit().isClean()).isTrue();
        }
    }

    /**
     * Many threads release parts of, confirm, release and extend the same few holds at once. Every event the
     * ledger tells, applied to a peer in the order told (which is not the order of the changes: threads tell
     * after their locks), leaves the peer where the ledger is; every echo is a duplicate; the held counters
     * match the holds throughout.
     */
    @Test
    void partialReleasesRacingConfirmsAndReleasesFromManyThreadsAgreeWithAPeerFedWhatWasTold() throws Exception {
        int threads = 8, holds = 60, opsPerThread = 400;
        for (int w = 1; w <= 3; w++) {
            ledger.apply(stockReceived("RCPT-" + w, "SKU-1", "WH-" + w, 10_000, T));
        }
        for (int h = 0; h < holds; h++) {
            List<ReservationLine> lines = new ArrayList<>();
            for (int w = 1; w <= 1 + h % 3; w++) {
                lines.add(ReservationLine.of("SKU-1", "WH-" + w, 20));
            }
            assertThat(ledger.tryReserve("cart-" + h, lines, TTL).accepted()).isTrue();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random rnd = new Random(t);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < opsPerThread; i++) {
                    String cart = "cart-" + rnd.nextInt(holds);
                    int dice = rnd.nextInt(20);
                    if (dice < 14) {
                        try {
                            ledger.release(cart, List.of(ReservationLine.of("SKU-1", "WH-1", 1 + rnd.nextInt(3))));
                        } catch (InvalidEventException moreThanHeldNow) {
                            // another thread released or confirmed it first: refused, nothing changed
                        }
                    } else if (dice < 16) {
                        ledger.confirm(cart, "ORD-" + cart);
                    } else if (dice < 18) {
                        ledger.extend(cart, TTL.plusMinutes(rnd.nextInt(10)));
                    } else {
                        ledger.release(cart);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(ledger.audit().isClean()).isTrue();

        InventoryLedger peer = InventoryLedger.builder().clock(clock).build();
        for (int w = 1; w <= 3; w++) {
            peer.apply(stockReceived("RCPT-" + w, "SKU-1", "WH-" + w, 10_000, T));
        }
        List<InventoryEvent> all = List.copyOf(told);
        for (InventoryEvent e : all) {
            // an extension told after a later one (or after its hold ended) extends nothing: a duplicate
            assertThat(peer.apply(e)).as("peer applies %s", e).isNotEqualTo(ApplyOutcome.CONFLICT);
        }
        assertThat(byWarehouse(peer)).isEqualTo(byWarehouse(ledger));
        for (InventoryEvent e : all) {
            assertThat(ledger.apply(e)).as("echo of %s", e).isEqualTo(ApplyOutcome.DUPLICATE);
        }
        assertThat(peer.audit().isClean()).isTrue();
        assertThat(all.stream().filter(e -> e.kind() == EventKind.RESERVATION_RELEASED && e.eventId() != null))
                .as("later releases of a line were told with event ids of their own").isNotEmpty();
    }

    private static Map<String, Position> byWarehouse(InventoryLedger l) {
        Map<String, Position> out = new TreeMap<>();
        for (Position p : l.positions()) {
            out.put(p.warehouseId(), p);
        }
        return out;
    }
}
