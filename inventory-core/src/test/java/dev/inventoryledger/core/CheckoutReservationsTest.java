package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.inventoryledger.core.InventoryEvent.orderPlaced;
import static dev.inventoryledger.core.InventoryEvent.stockReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Holds, and selling without overselling (the README, "What the core does"): baskets, renewal, allocation, backorders, audit. */
class CheckoutReservationsTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(15);

    private final ManualClock clock = new ManualClock(T);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InventoryLedger ledger = InventoryLedger.builder().clock(clock).meterRegistry(registry).build();

    private void stock(String product, String warehouse, long units) {
        ledger.apply(stockReceived("RCPT-" + product + "-" + warehouse + "-" + units, product, warehouse, units, T));
    }

    @Test
    void issueApiNamesCompileAsWritten() {
        stock("SKU-1", "WH-1", 10);
        stock("SKU-2", "WH-1", 10);
        ReservationResult r = ledger.tryReserve("cart-7", List.of(
                ReservationLine.of("SKU-1", "WH-1", 2),
                ReservationLine.of("SKU-2", "WH-1", 1)), Duration.ofMinutes(15));
        if (!r.accepted()) { /* r says which lines fell short and by how much */ }
        ledger.extend("cart-7", Duration.ofMinutes(10));   // payment still running
        ledger.confirm("cart-7", "ORD-9");                  // or release("cart-7"); both act on the whole basket
        if (!ledger.audit().isClean()) { /* counters drifted from the holds they summarise */ }

        assertThat(r.accepted()).isTrue();
        assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(8);
        assertThat(ledger.available("SKU-2", "WH-1")).isEqualTo(9);
        assertThat(ledger.audit().isClean()).isTrue();
    }

    @Nested
    class Baskets {
        @Test
        void basketIsAllOrNothingAndSaysWhatFellShort() {
            stock("SKU-1", "WH-1", 5);
            stock("SKU-2", "WH-1", 1);
            ReservationResult r = ledger.tryReserve("cart-1", List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-2", "WH-1", 3)), TTL);
            assertThat(r.accepted()).isFalse();
            assertThat(r.status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(r.shortfalls()).containsExactly(new ReservationResult.Shortfall("SKU-2", "WH-1", 3, 1, 2));
            assertThat(r.allocations()).isEmpty();
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.held("SKU-2", "WH-1")).isZero();
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.UNKNOWN);
        }

        @Test
        void refusedBasketReportsTheSellableOfTheLineThatFellShort() {
            stock("SKU-1", "WH-1", 5);
            stock("SKU-2", "WH-1", 1);
            ReservationResult r = ledger.tryReserve("cart-1", List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-2", "WH-1", 3), ReservationLine.of("SKU-3", "WH-1", 1)), TTL);
            assertThat(r.status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(r.sellable()).as("the first line short of its request, not the first line").isEqualTo(1);
            assertThat(r.sellable()).isEqualTo(r.shortfalls().get(0).sellable());
            ReservationResult ok = ledger.tryReserve("cart-2", List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-2", "WH-1", 1)), TTL);
            assertThat(ok.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            assertThat(ok.sellable()).as("accepted: the first line's, before the hold").isEqualTo(5);
        }

        @Test
        void linesOfTheSameItemAreSummedBeforeTheCheck() {
            stock("SKU-1", "WH-1", 3);
            ReservationResult r = ledger.tryReserve("cart-1", List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-1", "WH-1", 2)), TTL);
            assertThat(r.accepted()).isFalse();
            assertThat(r.shortfalls()).containsExactly(new ReservationResult.Shortfall("SKU-1", "WH-1", 4, 3, 1));
            ReservationResult ok = ledger.tryReserve("cart-2", List.of(ReservationLine.of("SKU-1", "WH-1", 1),
                    ReservationLine.of("SKU-1", "WH-1", 2)), TTL);
            assertThat(ok.allocations()).containsExactly(new ReservationResult.Allocation("SKU-1", "WH-1", 3, 0));
            assertThat(ledger.sellable("SKU-1", "WH-1")).isZero();
        }

        @Test
        void confirmReleaseAndExpiryActOnTheWholeBasket() {
            stock("SKU-1", "WH-1", 5);
            stock("SKU-2", "WH-2", 5);
            List<ReservationLine> basket = List.of(ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-2", "WH-2", 3));
            ledger.tryReserve("a", basket, TTL);
            assertThat(ledger.confirm("a", "ORD-a")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(3);
            assertThat(ledger.available("SKU-2", "WH-2")).isEqualTo(2);

            ledger.tryReserve("b", List.of(ReservationLine.of("SKU-1", "WH-1", 1),
                    ReservationLine.of("SKU-2", "WH-2", 1)), TTL);
            assertThat(ledger.release("b")).isEqualTo(HoldOutcome.RELEASED);
            assertThat(ledger.held("SKU-1", "WH-1") + ledger.held("SKU-2", "WH-2")).isZero();

            ledger.tryReserve("c", List.of(ReservationLine.of("SKU-1", "WH-1", 1),
                    ReservationLine.of("SKU-2", "WH-2", 1)), TTL);
            clock.advance(TTL);
            assertThat(ledger.held("SKU-1", "WH-1") + ledger.held("SKU-2", "WH-2")).isZero();
            assertThat(ledger.audit().isClean()).isTrue();
        }

        @Test
        void repeatedBasketIsIdempotentAndAnotherBasketUnderTheSameIdIsRefused() {
            stock("SKU-1", "WH-1", 5);
            List<ReservationLine> basket = List.of(ReservationLine.of("SKU-1", "WH-1", 2));
            assertThat(ledger.tryReserve("a", basket, TTL).status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            assertThat(ledger.tryReserve("a", basket, TTL).status()).isEqualTo(ReservationResult.Status.ALREADY_HELD);
            assertThat(ledger.tryReserve("a", List.of(ReservationLine.of("SKU-1", "WH-1", 3)), TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(2);
        }

        @Test
        void partOfABasketCanBeConfirmedForASplitShipment() {
            stock("SKU-1", "WH-1", 5);
            stock("SKU-2", "WH-1", 5);
            ledger.tryReserve("cart", List.of(ReservationLine.of("SKU-1", "WH-1", 3),
                    ReservationLine.of("SKU-2", "WH-1", 1)), TTL);
            assertThat(ledger.confirm("cart", "ORD-1", List.of(ReservationLine.of("SKU-1", "WH-1", 2))))
                    .isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1")).returns(3L, Position::available).returns(1L, Position::held);
            assertThat(ledger.held("SKU-2", "WH-1")).isEqualTo(1);
            assertThatThrownBy(() -> ledger.confirm("cart", "ORD-2", List.of(ReservationLine.of("SKU-1", "WH-1", 2))))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("quantity 2")
                    .hasMessageContaining("holds there (1)");
            assertThat(ledger.confirm("cart", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED); // the rest
            assertThat(ledger.position("SKU-1", "WH-1")).returns(2L, Position::available).returns(0L, Position::held);
            assertThat(ledger.position("SKU-2", "WH-1")).returns(4L, Position::available).returns(0L, Position::held);
            assertThat(ledger.release("cart")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.audit().isClean()).isTrue();
        }

        @Test
        void emptyBasketIsRefused() {
            assertThatThrownBy(() -> ledger.tryReserve("cart", List.of(), TTL))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("lines");
        }
    }

    @Nested
    class Renewal {
        @Test
        void extendKeepsTheHoldWhilePaymentRuns() {
            stock("SKU-1", "WH-1", 5);
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            clock.advance(Duration.ofMinutes(14));
            assertThat(ledger.extend("cart", Duration.ofMinutes(10))).isEqualTo(HoldOutcome.EXTENDED);
            clock.advance(Duration.ofMinutes(10).minusNanos(1)); // 24 min: past the first ttl, before the new one
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(5);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "other", TTL).accepted()).isFalse();
            clock.advance(Duration.ofNanos(1));
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
        }

        @Test
        void extendAfterTheHoldLapsedDoesNotReviveIt() {
            stock("SKU-1", "WH-1", 5);
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart", TTL);
            clock.advance(TTL); // the clock reaches the expiry exactly
            assertThat(ledger.extend("cart", TTL)).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
        }

        @Test
        void lateConfirmTakesTheUnitsIfStillSellable() {
            stock("SKU-1", "WH-1", 5);
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart", TTL);
            clock.advance(TTL.plusMinutes(1));
            assertThat(ledger.confirm("cart", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED_AFTER_EXPIRY);
            assertThat(ledger.position("SKU-1", "WH-1")).returns(3L, Position::available).returns(0L, Position::held);
            assertThat(ledger.confirm("cart", "ORD-1")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart")))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
        }

        @Test
        void lateConfirmIsRefusedWhenTheUnitsWereSoldMeanwhile() {
            stock("SKU-1", "WH-1", 2);
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart", TTL);
            clock.advance(TTL);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "other", TTL).accepted()).isTrue();
            assertThat(ledger.confirm("cart", "ORD-1")).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.position("SKU-1", "WH-1")).returns(2L, Position::available).returns(1L, Position::held);
        }

        @Test
        void renewalRacingExpiryNeverCountsALapsedHoldOrLosesARenewedOne() throws Exception {
            stock("SKU-1", "WH-1", 1_000);
            int holds = 400;
            for (int i = 0; i < holds; i++) {
                ledger.tryReserve("SKU-1", "WH-1", 1, "c" + i, Duration.ofMillis(100 + i));
            }
            Map<String, HoldOutcome> extended = new ConcurrentHashMap<>();
            Thread ticker = new Thread(() -> {
                for (int i = 0; i < 600; i++) {
                    clock.advance(Duration.ofMillis(1));
                }
            });
            Thread renewer = new Thread(() -> {
                for (int i = 0; i < holds; i++) {
                    extended.put("c" + i, ledger.extend("c" + i, Duration.ofHours(1)));
                }
            });
            ticker.start();
            renewer.start();
            ticker.join(60_000);
            renewer.join(60_000);
            assertThat(ticker.isAlive() || renewer.isAlive()).isFalse();
            long stillHeld = extended.values().stream().filter(o -> o == HoldOutcome.EXTENDED).count();
            assertThat(extended.values()).allMatch(o -> o == HoldOutcome.EXTENDED || o == HoldOutcome.EXPIRED);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(stillHeld);
            assertThat(ledger.audit().isClean()).isTrue();
            clock.advance(Duration.ofHours(1));
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
        }
    }

    @Nested
    class Allocation {
        /** SKU-1 received on {@code l} at WH-1, WH-2 and WH-3, this many units each. */
        private void sku1In(InventoryLedger l, long wh1, long wh2, long wh3) {
            l.apply(stockReceived("R1", "SKU-1", "WH-1", wh1, T));
            l.apply(stockReceived("R2", "SKU-1", "WH-2", wh2, T));
            l.apply(stockReceived("R3", "SKU-1", "WH-3", wh3, T));
        }

        /** {@code cart} asks {@code l} for {@code units} of SKU-1 from whichever warehouse {@code rule} picks. */
        private ReservationResult sku1Anywhere(InventoryLedger l, String cart, long units, AllocationRule rule) {
            return l.tryReserve(cart, List.of(ReservationLine.anyWarehouse("SKU-1", units)), TTL, rule);
        }

        @Test
        void priorityRuleTakesTheFirstWarehouseInItsOrderThatCanServe() {
            sku1In(ledger, 10, 3, 8);
            AllocationRule wh2First = AllocationRule.priority(List.of("WH-2", "WH-1"));
            ReservationResult r = sku1Anywhere(ledger, "cart", 3, wh2First);
            assertThat(r.allocations()).containsExactly(new ReservationResult.Allocation("SKU-1", "WH-2", 3, 0));
            ReservationResult next = sku1Anywhere(ledger, "cart-2", 3, wh2First);
            assertThat(next.allocations()).extracting(ReservationResult.Allocation::warehouseId).containsExactly("WH-1");
        }

        @Test
        void mostSellableRuleTakesTheFullestWarehouse() {
            InventoryLedger l = InventoryLedger.builder().clock(clock) // a default that would pick otherwise
                    .allocationRule(AllocationRule.priority(List.of("WH-1", "WH-2", "WH-3"))).build();
            sku1In(l, 10, 30, 20);
            ReservationResult r = sku1Anywhere(l, "cart", 3, AllocationRule.mostSellable());
            assertThat(r.allocations()).extracting(ReservationResult.Allocation::warehouseId).containsExactly("WH-2");
            assertThat(l.held("SKU-1", "WH-2")).isEqualTo(3);
        }

        @Test
        void nearestFirstRuleFollowsTheCallersOrder() {
            sku1In(ledger, 10, 30, 20);
            ReservationResult r = sku1Anywhere(ledger, "cart", 3,
                    AllocationRule.nearestFirst(List.of("WH-3", "WH-2", "WH-1")));
            assertThat(r.allocations()).extracting(ReservationResult.Allocation::warehouseId).containsExactly("WH-3");
        }

        @Test
        void splittingRuleSpreadsALineInRankOrderAndAWholeLineRuleDoesNot() {
            stock("SKU-1", "WH-1", 3);
            stock("SKU-1", "WH-2", 4);
            AllocationRule order = AllocationRule.priority(List.of("WH-1", "WH-2"));
            ReservationResult whole = sku1Anywhere(ledger, "a", 5, order);
            assertThat(whole.accepted()).isFalse();
            assertThat(whole.shortfalls()).containsExactly(new ReservationResult.Shortfall("SKU-1", null, 5, 7, 5));
            ReservationResult split = sku1Anywhere(ledger, "b", 5, order.allowingSplit());
            assertThat(split.allocations()).containsExactly(new ReservationResult.Allocation("SKU-1", "WH-1", 3, 0),
                    new ReservationResult.Allocation("SKU-1", "WH-2", 2, 0));
            assertThat(ledger.confirm("b", "ORD-b")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.available("SKU-1", "WH-1")).isZero();
            assertThat(ledger.available("SKU-1", "WH-2")).isEqualTo(2);
        }

        @Test
        void negativeStockInOneWarehouseNeverBlocksAnother() {
            stock("SKU-1", "WH-2", 10);
            ledger.apply(orderPlaced("ORD-0", "SKU-1", "WH-1", 5, T)); // WH-1 oversold: -5
            ReservationResult r = sku1Anywhere(ledger, "cart", 10,
                    AllocationRule.priority(List.of("WH-1", "WH-2")).allowingSplit());
            assertThat(r.allocations()).containsExactly(new ReservationResult.Allocation("SKU-1", "WH-2", 10, 0));
            assertThat(ledger.sellable("SKU-1")).isZero();
        }

        @Test
        void theLedgersDefaultRuleIsUsedWhenNoneIsNamed() {
            InventoryLedger byPriority = InventoryLedger.builder().clock(clock)
                    .allocationRule(AllocationRule.priority(List.of("WH-9", "WH-1"))).build();
            byPriority.apply(stockReceived("R1", "SKU-1", "WH-1", 50, T));
            byPriority.apply(stockReceived("R2", "SKU-1", "WH-9", 5, T));
            assertThat(byPriority.tryReserve("cart", List.of(ReservationLine.anyWarehouse("SKU-1", 2)), TTL)
                    .allocations()).extracting(ReservationResult.Allocation::warehouseId).containsExactly("WH-9");
        }
    }

    @Nested
    class Backorders {
        @Test
        void backorderLimitLetsReservationsGoBelowZeroUpToIt() {
            stock("SKU-1", "WH-1", 2);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 3, "a", TTL).accepted()).isFalse();
            ledger.setBackorderLimit("SKU-1", 5);
            ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 6, "b", TTL);
            assertThat(r.accepted()).isTrue();
            assertThat(r.backordered()).isEqualTo(4);
            assertThat(ledger.position("SKU-1", "WH-1").backordered()).isEqualTo(4);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(-4);
            ReservationResult over = ledger.tryReserve("SKU-1", "WH-1", 2, "c", TTL);
            assertThat(over.accepted()).isFalse();
            assertThat(over.shortfalls()).containsExactly(new ReservationResult.Shortfall("SKU-1", "WH-1", 2, -4, 1));
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "d", TTL).backordered()).isEqualTo(1);
            assertThat(registry.get("inventory.backordered.units").counter().count()).isEqualTo(5);
            assertThat(ledger.confirm("b", "ORD-b")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(-4);
            assertThatThrownBy(() -> ledger.setBackorderLimit("SKU-1", -1))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("backorder_limit");
        }

        @Test
        void anyWarehouseLinePrefersStockOverBackorder() {
            ledger.setBackorderLimit("SKU-1", 10);
            stock("SKU-1", "WH-1", 1);
            stock("SKU-1", "WH-2", 4);
            ReservationResult r = ledger.tryReserve("cart", List.of(ReservationLine.anyWarehouse("SKU-1", 3)), TTL,
                    AllocationRule.priority(List.of("WH-1", "WH-2")));
            assertThat(r.allocations()).containsExactly(new ReservationResult.Allocation("SKU-1", "WH-2", 3, 0));
        }
    }

    @Nested
    class Audit {
        /** Drift cannot be made through the API (that is the point), so the test makes it by reflection. */
        @Test
        void auditReportsACounterThatDriftedFromItsHolds() throws Exception {
            stock("SKU-1", "WH-1", 10);
            ledger.tryReserve("SKU-1", "WH-1", 3, "a", TTL);
            java.lang.reflect.Field productsField = InventoryLedger.class.getDeclaredField("products");
            productsField.setAccessible(true);
            dev.inventoryledger.core.internal.ProductDirectory products =
                    (dev.inventoryledger.core.internal.ProductDirectory) productsField.get(ledger);
            dev.inventoryledger.core.internal.Slot slot = products.get("SKU-1").find("WH-1");
            java.lang.reflect.Field held = dev.inventoryledger.core.internal.Slot.class.getDeclaredField("held");
            held.setAccessible(true);
            held.setLong(slot, held.getLong(slot) + 2); // the drift a denormalised counter suffers
            LedgerAudit audit = ledger.audit();
            assertThat(audit.isClean()).isFalse();
            assertThat(audit.discrepancies())
                    .containsExactly(new LedgerAudit.Discrepancy("SKU-1", "WH-1", 5, 3));
            assertThat(registry.get("inventory.audit.discrepancies").gauge().value()).isEqualTo(1);
        }

        @Test
        void auditIsCleanAfterEveryKindOfEnding() {
            stock("SKU-1", "WH-1", 100);
            ledger.tryReserve("SKU-1", "WH-1", 1, "a", TTL);
            ledger.tryReserve("SKU-1", "WH-1", 2, "b", TTL);
            ledger.tryReserve("SKU-1", "WH-1", 3, "c", Duration.ofMinutes(1));
            ledger.apply(InventoryEvent.reservationHeld("d", "SKU-1", "WH-1", 4, T));
            ledger.confirm("a", "ORD-a");
            ledger.release("b");
            clock.advance(Duration.ofMinutes(1));
            LedgerAudit audit = ledger.audit();
            assertThat(audit.isClean()).isTrue();
            assertThat(audit.activeHolds()).isEqualTo(1);
            assertThat(audit.positionsChecked()).isEqualTo(1);
            assertThat(registry.get("inventory.audit.discrepancies").gauge().value()).isZero();
        }
    }

    /** Random baskets from many threads over a few hot products with little stock. */
    @Test
    void randomBasketsFromManyThreadsNeverOversellNeverHoldPartlyAndNeverDeadlock() throws Exception {
        String[] products = {"HOT-1", "HOT-2", "HOT-3", "HOT-4"};
        String[] warehouses = {"WH-1", "WH-2"};
        long stockEach = 60;
        InventoryLedger l = InventoryLedger.builder().clock(clock).build();
        for (String p : products) {
            for (String w : warehouses) {
                l.apply(stockReceived("R-" + p + w, p, w, stockEach, T));
            }
        }
        int threads = 8;
        int perThread = 3_000;
        Map<String, AtomicLong> sold = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            futures.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                start.await();
                for (int i = 0; i < perThread; i++) {
                    List<ReservationLine> basket = new ArrayList<>();
                    int n = 1 + rnd.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        String p = products[rnd.nextInt(products.length)];
                        basket.add(rnd.nextInt(4) == 0 ? ReservationLine.anyWarehouse(p, 1 + rnd.nextInt(2))
                                : ReservationLine.of(p, warehouses[rnd.nextInt(2)], 1 + rnd.nextInt(2)));
                    }
                    String id = "t" + seed + "-" + i;
                    ReservationResult r = l.tryReserve(id, basket, TTL,
                            rnd.nextBoolean() ? AllocationRule.mostSellable().allowingSplit()
                                    : AllocationRule.priority(List.of("WH-2", "WH-1")));
                    if (!r.accepted()) {
                        assertThat(r.shortfalls()).isNotEmpty();
                        assertThat(l.release(id)).isEqualTo(HoldOutcome.UNKNOWN); // nothing partly held
                        continue;
                    }
                    long asked = basket.stream().mapToLong(ReservationLine::quantity).sum();
                    assertThat(r.allocations().stream().mapToLong(ReservationResult.Allocation::quantity).sum())
                            .isEqualTo(asked);
                    if (rnd.nextInt(3) == 0) {
                        assertThat(l.release(id)).isEqualTo(HoldOutcome.RELEASED);
                    } else if (l.confirm(id, "ORD-" + id) == HoldOutcome.CONFIRMED) {
                        for (ReservationResult.Allocation a : r.allocations()) {
                            sold.computeIfAbsent(a.productId() + "@" + a.warehouseId(), k -> new AtomicLong())
                                    .addAndGet(a.quantity());
                        }
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).as("every thread finished (no deadlock)").isTrue();
        for (Future<?> f : futures) {
            f.get(); // rethrows an assertion failure from a worker
        }
        for (String p : products) {
            for (String w : warehouses) {
                long s = sold.getOrDefault(p + "@" + w, new AtomicLong()).get();
                assertThat(s).as("sold at %s@%s", p, w).isLessThanOrEqualTo(stockEach);
                assertThat(l.available(p, w)).isEqualTo(stockEach - s);
                assertThat(l.held(p, w)).isZero();
            }
        }
        assertThat(sold.values().stream().mapToLong(AtomicLong::get).sum()).isPositive();
        LedgerAudit audit = l.audit();
        assertThat(audit.isClean()).isTrue();
        assertThat(audit.activeHolds()).isZero();
    }
}
