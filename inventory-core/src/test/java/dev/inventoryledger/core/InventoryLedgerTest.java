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
import java.util.OptionalLong;

import static dev.inventoryledger.core.InventoryEvent.orderCancelled;
import static dev.inventoryledger.core.InventoryEvent.orderPlaced;
import static dev.inventoryledger.core.InventoryEvent.reservationHeld;
import static dev.inventoryledger.core.InventoryEvent.reservationReleased;
import static dev.inventoryledger.core.InventoryEvent.returnReceived;
import static dev.inventoryledger.core.InventoryEvent.stockReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ledger's contract, section by section (the README's "Guarantees" and "What the core does"). */
class InventoryLedgerTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(15);

    private final ManualClock clock = new ManualClock(T);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<StockAlert> alerts = new ArrayList<>();
    private final InventoryLedger ledger = InventoryLedger.builder().clock(clock).meterRegistry(registry)
            .listener(alerts::add).build();

    private double events(String kind, String outcome) {
        return registry.get("inventory.events").tag("kind", kind).tag("outcome", outcome).counter().count();
    }

    private double reservations(String outcome) {
        return registry.get("inventory.reservations").tag("outcome", outcome).counter().count();
    }

    @Nested
    class EventEffects {
        @Test
        void receiptAddsToAvailable() {
            assertThat(ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(10);
        }

        @Test
        void orderTakesFromAvailable() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 4, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(6);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(6);
        }

        @Test
        void cancellationGivesBack() {
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 4, T));
            ledger.apply(orderCancelled("ORD-1", "SKU-1", "WH-1", 4, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isZero();
        }

        @Test
        void cancellationBeforeItsOrderNetsToZero() {
            ledger.apply(orderCancelled("ORD-1", "SKU-1", "WH-1", 4, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(4);
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 4, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isZero();
        }

        @Test
        void returnAddsToAvailable() {
            ledger.apply(returnReceived("RET-1", "SKU-1", "WH-1", 2, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(2);
        }

        @Test
        void heldEventHoldsAndReleasedEventGivesBack() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(7);
            ledger.apply(reservationReleased("R-1", "SKU-1", "WH-1", 3, T));
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(10);
        }

        @Test
        void releaseBeforeHoldNetsToZero() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            assertThat(ledger.apply(reservationReleased("R-1", "SKU-1", "WH-1", 3, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(10);
            assertThat(ledger.activeHolds()).isZero();
        }

        @Test
        void orderNamingAReservationConsumesItsHold() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 3, T).withReservationId("R-1"));
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(7L, Position::available).returns(0L, Position::held).returns(7L, Position::sellable);
            // the hold ended exactly once: a later release changes nothing
            ledger.apply(reservationReleased("R-1", "SKU-1", "WH-1", 3, T));
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(7);
            assertThat(ledger.confirm("R-1", "ORD-2")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
        }

        @Test
        void consumingOrderBeforeItsHoldNetsTheHoldToZero() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 3, T).withReservationId("R-1"));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T));
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(7L, Position::available).returns(0L, Position::held);
        }

        @Test
        void lastUpdatedIsTheGreatestEventTimeIncludingReservations() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T.plusSeconds(5)));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 1, T));
            assertThat(ledger.position("SKU-1", "WH-1").lastUpdated()).isEqualTo(T.plusSeconds(5));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 1, T.plusSeconds(9).plusNanos(123_000)));
            assertThat(ledger.position("SKU-1", "WH-1").lastUpdated()).isEqualTo(T.plusSeconds(9).plusNanos(123_000));
        }

        @Test
        void availableMayGoNegativeAndIsReportedAsOversold() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 1, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 3, T));
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(-2);
            assertThat(alerts).extracting(StockAlert::type).contains(StockAlert.Type.OVERSOLD);
        }

        @Test
        void overflowingEventIsRefusedAndChangesNothing() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", Long.MAX_VALUE - 1, T));
            assertThatThrownBy(() -> ledger.apply(stockReceived("RCPT-2", "SKU-1", "WH-1", 5, T)))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("quantity")
                    .hasMessageContaining("overflow").hasMessageContaining("RCPT-2");
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(Long.MAX_VALUE - 1);
            assertThat(events("stock_received", "refused")).isEqualTo(1);
            // nothing remembered either: once room is made, the same event applies
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 10, T));
            assertThat(ledger.apply(stockReceived("RCPT-2", "SKU-1", "WH-1", 5, T))).isEqualTo(ApplyOutcome.APPLIED);
        }

        @Test
        void nullEventIsRefused() {
            assertThatThrownBy(() -> ledger.apply(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("event");
        }
    }

    @Nested
    class Idempotency {
        @Test
        void duplicateOrderLineIsCountedOnce() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T))).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(8);
            assertThat(events("order_placed", "duplicate")).isEqualTo(1);
        }

        @Test
        void redeliveryWithAnotherEventTimeIsAPlainDuplicate() {
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T));
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T.plusSeconds(1))))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
        }

        @Test
        void conflictingDuplicateIsDroppedAndTheFirstStands() {
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T));
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 5, T))).isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(-2);
            assertThat(events("order_placed", "conflict")).isEqualTo(1);
        }

        @Test
        void oneOrderHasALinePerProductAndWarehouse() {
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 1, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-2", "WH-1", 1, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-2", 1, T))).isEqualTo(ApplyOutcome.APPLIED);
        }

        @Test
        void kindIsPartOfIdentity() {
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 1, T));
            assertThat(ledger.apply(orderCancelled("ORD-1", "SKU-1", "WH-1", 1, T))).isEqualTo(ApplyOutcome.APPLIED);
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 1, T));
            assertThat(ledger.apply(reservationReleased("R-1", "SKU-1", "WH-1", 1, T)))
                    .isEqualTo(ApplyOutcome.APPLIED);
        }

        @Test
        void eventIdIsTheIdentityWhenPresent() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T).withEventId("evt-1"));
            assertThat(ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T).withEventId("evt-2")))
                    .isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(stockReceived("RCPT-9", "SKU-1", "WH-1", 5, T).withEventId("evt-1")))
                    .isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T).withEventId("evt-1")))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(10);
        }

        @Test
        void identitiesAreRememberedForTheHorizonOfEventTimeAndARedeliveryBeyondItIsLateNotCounted() {
            InventoryLedger hourly = InventoryLedger.builder().dedupHorizon(Duration.ofHours(1)).build();
            hourly.apply(stockReceived("RCPT-0", "SKU-1", "WH-1", 1, T));
            for (int i = 1; i <= 3_000; i++) { // a busy product: one receipt a second for 50 minutes
                hourly.apply(stockReceived("RCPT-" + i, "SKU-1", "WH-1", 1, T.plusSeconds(i)));
            }
            assertThat(hourly.apply(stockReceived("RCPT-0", "SKU-1", "WH-1", 1, T)))
                    .as("3,000 identities later, still within the hour").isEqualTo(ApplyOutcome.DUPLICATE);
            hourly.apply(stockReceived("RCPT-LATER", "SKU-1", "WH-1", 1, T.plus(Duration.ofMinutes(61))));
            assertThat(hourly.apply(stockReceived("RCPT-0", "SKU-1", "WH-1", 1, T)))
                    .as("forgotten once the hour passed: late").isEqualTo(ApplyOutcome.LATE);
            assertThat(hourly.apply(stockReceived("RCPT-NEW", "SKU-1", "WH-1", 1, T.plusSeconds(3_000))))
                    .as("a new event within the hour of the product's clock").isEqualTo(ApplyOutcome.APPLIED);
            assertThat(hourly.available("SKU-1", "WH-1")).isEqualTo(3_003);
            assertThat(hourly.apply(stockReceived("RCPT-9", "SKU-9", "WH-1", 1, T)))
                    .as("another product's clock is its own").isEqualTo(ApplyOutcome.APPLIED);
        }

        @Test
        void aLedgerToldToApplyLateEventsCountsThem() {
            InventoryLedger lenient = InventoryLedger.builder().dedupHorizon(Duration.ofHours(1)).applyLateEvents(true)
                    .build();
            lenient.apply(stockReceived("RCPT-0", "SKU-1", "WH-1", 1, T));
            lenient.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 1, T.plus(Duration.ofHours(2))));
            lenient.apply(stockReceived("RCPT-2", "SKU-1", "WH-1", 1, T.plus(Duration.ofHours(2))));
            assertThat(lenient.apply(stockReceived("RCPT-0", "SKU-1", "WH-1", 1, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(lenient.available("SKU-1", "WH-1")).isEqualTo(4);
        }

        @Test
        void inProcessActionsRegisterTheEventsTheyStandFor() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            assertThat(ledger.apply(reservationHeld("cart-1", "SKU-1", "WH-1", 2, T))).isEqualTo(ApplyOutcome.DUPLICATE);
            ledger.confirm("cart-1", "ORD-1");
            assertThat(ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart-1")))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
            ledger.tryReserve("SKU-1", "WH-1", 1, "cart-2", TTL);
            ledger.release("cart-2");
            assertThat(ledger.apply(reservationReleased("cart-2", "SKU-1", "WH-1", 1, T)))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(8L, Position::available).returns(0L, Position::held);
        }

        @Test
        void confirmOfAnOrderAlreadyAppliedOnlyEndsTheHold() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart-1"));
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(8L, Position::available).returns(0L, Position::held);
        }
    }

    @Nested
    class Reads {
        @Test
        void unknownPositionIsZero() {
            assertThat(ledger.sellable("NOPE", "WH-1")).isZero();
            assertThat(ledger.available("NOPE", "WH-1")).isZero();
            assertThat(ledger.held("NOPE", "WH-1")).isZero();
            assertThat(ledger.sellable("NOPE")).isZero();
            assertThat(ledger.position("NOPE", "WH-1"))
                    .isEqualTo(new Position("NOPE", "WH-1", 0, 0, 0, 0, null));
        }

        @Test
        void positionIsOneSnapshot() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 4, T));
            ledger.setSafetyStock("SKU-1", "WH-1", 1);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .isEqualTo(new Position("SKU-1", "WH-1", 10, 4, 1, 5, T));
        }

        @Test
        void productTotalsSumWarehousesAndAnOversoldWarehouseLendsNothing() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-2", 3, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-1", "WH-3", 5, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-3", 1, T));
            assertThat(ledger.available("SKU-1")).isEqualTo(12);
            assertThat(ledger.sellable("SKU-1")).isEqualTo(14); // 10 + max(0, -3) + 4
        }

        @Test
        void positionsIteratesEveryPosition() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-1", "WH-2", 3, T));
            ledger.apply(stockReceived("RCPT-3", "SKU-2", "WH-1", 1, T));
            assertThat(ledger.positions()).extracting(p -> p.productId() + "@" + p.warehouseId() + "=" + p.available())
                    .containsExactlyInAnyOrder("SKU-1@WH-1=10", "SKU-1@WH-2=3", "SKU-2@WH-1=1");
            assertThat(registry.get("inventory.positions").gauge().value()).isEqualTo(3);
        }

        @Test
        void outOfStockListsProductsWithNoAvailableAcrossWarehouses() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-2", "WH-1", 3, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-2", "WH-2", 3, T));
            ledger.apply(orderPlaced("ORD-2", "SKU-3", "WH-1", 1, T));
            ledger.apply(stockReceived("RCPT-3", "SKU-4", "WH-1", 1, T));
            ledger.apply(orderPlaced("ORD-3", "SKU-4", "WH-2", 5, T));
            assertThat(ledger.outOfStock()).containsExactly("SKU-2", "SKU-3", "SKU-4");
        }

        @Test
        void belowReorderThresholdJoinsTheCatalog() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-1", "WH-2", 2, T));
            ledger.apply(stockReceived("RCPT-3", "SKU-2", "WH-1", 1, T));
            ledger.apply(stockReceived("RCPT-4", "SKU-3", "WH-1", 100, T));
            Map<String, Long> thresholds = Map.of("SKU-1", 5L, "SKU-3", 100L);
            ProductCatalog catalog = p -> thresholds.containsKey(p) ? OptionalLong.of(thresholds.get(p))
                    : OptionalLong.empty();
            assertThat(ledger.belowReorderThreshold(catalog))
                    .extracting(p -> p.productId() + "@" + p.warehouseId()).containsExactly("SKU-1@WH-2");
        }

        @Test
        void safetyStockIsKeptBackFromSale() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.setSafetyStock("SKU-1", "WH-1", 3);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(7);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 8, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 7, "cart-2", TTL).accepted()).isTrue();
            ledger.setSafetyStock("SKU-1", "WH-1", 0);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(3);
            assertThatThrownBy(() -> ledger.setSafetyStock("SKU-1", "WH-1", -1))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("safety_stock").hasMessageContaining("-1");
        }
    }

    @Nested
    class Holds {
        @Test
        void reserveSucceedsOnlyIfSellableCoversIt() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ReservationResult ok = ledger.tryReserve("SKU-1", "WH-1", 3, "cart-1", TTL);
            assertThat(ok.accepted()).isTrue();
            assertThat(ok.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            assertThat(ok.sellable()).isEqualTo(5);
            assertThat(ok.expiresAt()).isEqualTo(T.plus(TTL));
            ReservationResult no = ledger.tryReserve("SKU-1", "WH-1", 3, "cart-2", TTL);
            assertThat(no.accepted()).isFalse();
            assertThat(no.status()).isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(no.sellable()).isEqualTo(2);
            assertThat(no.expiresAt()).isNull();
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(2);
            assertThat(reservations("accepted")).isEqualTo(1);
            assertThat(reservations("insufficient_stock")).isEqualTo(1);
        }

        @Test
        void reserveOnUnknownPositionIsRejectedAndCreatesNothing() {
            assertThat(ledger.tryReserve("SKU-9", "WH-1", 1, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(ledger.positions()).isEmpty();
        }

        @Test
        void repeatedReserveIsIdempotent() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            ReservationResult again = ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            assertThat(again.status()).isEqualTo(ReservationResult.Status.ALREADY_HELD);
            assertThat(again.accepted()).isTrue();
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(2);
        }

        @Test
        void reservationIdsAreSingleUse() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-2", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 3, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE);
            assertThat(ledger.tryReserve("SKU-2", "WH-1", 2, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE);
            ledger.release("cart-1");
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.held("SKU-2", "WH-1")).isZero();
        }

        @Test
        void confirmTurnsTheHoldIntoAnOrder() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            clock.advance(Duration.ofMinutes(1));
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .isEqualTo(new Position("SKU-1", "WH-1", 3, 0, 0, 3, T.plus(Duration.ofMinutes(1))));
            assertThat(ledger.activeHolds()).isZero();
            assertThat(reservations("confirmed")).isEqualTo(1);
        }

        @Test
        void releaseGivesTheUnitsBack() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            assertThat(ledger.release("cart-1")).isEqualTo(HoldOutcome.RELEASED);
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(5);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(5);
        }

        @Test
        void eachHoldEndsExactlyOnceWhateverTheOrderOfCalls() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 50, T));
            ledger.tryReserve("SKU-1", "WH-1", 1, "a", TTL);
            assertThat(ledger.confirm("a", "ORD-a")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.confirm("a", "ORD-a")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.release("a")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            clock.advance(TTL.multipliedBy(2));
            assertThat(ledger.confirm("a", "ORD-a")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);

            clock.set(T);
            ledger.tryReserve("SKU-1", "WH-1", 1, "b", TTL);
            assertThat(ledger.release("b")).isEqualTo(HoldOutcome.RELEASED);
            assertThat(ledger.release("b")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            assertThat(ledger.confirm("b", "ORD-b")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            clock.advance(TTL.multipliedBy(2));
            assertThat(ledger.release("b")).isEqualTo(HoldOutcome.ALREADY_RELEASED);

            clock.set(T);
            ledger.tryReserve("SKU-1", "WH-1", 1, "c", TTL);
            clock.advance(TTL);
            assertThat(ledger.release("c")).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.release("c")).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.extend("c", TTL)).isEqualTo(HoldOutcome.EXPIRED);

            assertThat(ledger.confirm("never", "ORD-x")).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(ledger.release("never")).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(49L, Position::available).returns(0L, Position::held);
        }

        @Test
        void confirmOfAnExternalHoldWorks() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 2, T));
            ledger.apply(reservationHeld("R-1", "SKU-2", "WH-1", 1, T));
            assertThat(ledger.confirm("R-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1")).returns(3L, Position::available).returns(0L, Position::held);
            assertThat(ledger.position("SKU-2", "WH-1")).returns(-1L, Position::available).returns(0L, Position::held);
        }

        @Test
        void badReserveArgumentsAreRefusedAndChangeNothing() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            assertThatThrownBy(() -> ledger.tryReserve("SKU-1", "WH-1", 0, "cart-1", TTL))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("quantity must be > 0 but was 0");
            assertThatThrownBy(() -> ledger.tryReserve("SKU-1", "WH-1", 1, " ", TTL))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("reservation_id");
            assertThatThrownBy(() -> ledger.tryReserve(null, "WH-1", 1, "cart-1", TTL))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("product_id");
            assertThatThrownBy(() -> ledger.tryReserve("SKU-1", "", 1, "cart-1", TTL))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("warehouse_id");
            assertThatThrownBy(() -> ledger.tryReserve("SKU-1", "WH-1", 1, "cart-1", Duration.ZERO))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("ttl must be > 0 but was PT0S");
            assertThatThrownBy(() -> ledger.tryReserve("SKU-1", "WH-1", 1, "cart-1", null))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("ttl");
            assertThatThrownBy(() -> ledger.confirm("cart-1", null))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("order_id");
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ACCEPTED);
        }
    }

    @Nested
    class Expiry {
        @Test
        void holdCountsUntilTheClockReachesItsExpiryThenNoReadCountsIt() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart-1", TTL);
            clock.advance(TTL.minusMillis(1));
            assertThat(ledger.sellable("SKU-1", "WH-1")).isZero();
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "cart-2", TTL).accepted()).isFalse();
            clock.advance(Duration.ofMillis(1));
            // no sweep: every read path must stop counting the lapsed hold on its own
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(5);
            assertThat(ledger.sellable("SKU-1")).isEqualTo(5);
            assertThat(ledger.position("SKU-1", "WH-1").held()).isZero();
            assertThat(ledger.positions()).extracting(Position::sellable).containsExactly(5L);
            assertThat(ledger.activeHolds()).isZero();
            assertThat(reservations("expired")).isEqualTo(1);
        }

        @Test
        void reserveSeesLapsedHoldsAsFree() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.tryReserve("SKU-1", "WH-1", 5, "cart-1", TTL);
            clock.advance(TTL);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 5, "cart-2", TTL).accepted()).isTrue();
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.confirm("cart-2", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.available("SKU-1", "WH-1")).isZero();
        }

        @Test
        void sweepLapsesDueHoldsAndKeepsTheCountCurrent() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T));
            ledger.apply(stockReceived("RCPT-2", "SKU-2", "WH-1", 9, T));
            ledger.tryReserve("SKU-1", "WH-1", 1, "a", Duration.ofMinutes(1));
            ledger.tryReserve("SKU-2", "WH-1", 1, "b", Duration.ofMinutes(2));
            ledger.tryReserve("SKU-2", "WH-1", 1, "c", Duration.ofMinutes(3));
            assertThat(ledger.activeHolds()).isEqualTo(3);
            clock.advance(Duration.ofMinutes(2));
            assertThat(ledger.expireHolds()).isEqualTo(2);
            assertThat(ledger.activeHolds()).isEqualTo(1);
            assertThat(registry.get("inventory.holds.active").gauge().value()).isEqualTo(1);
            assertThat(ledger.expireHolds()).isZero();
        }

        @Test
        void externalHoldLapsesAtItsExpiresAt() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 2, T).withExpiresAt(T.plusSeconds(60)));
            ledger.apply(reservationHeld("R-2", "SKU-1", "WH-1", 1, T)); // no expiry: lasts until released
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
            clock.advance(Duration.ofSeconds(60));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(1);
            clock.advance(Duration.ofDays(365));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(1);
            // a late release of the lapsed hold changes nothing
            ledger.apply(reservationReleased("R-1", "SKU-1", "WH-1", 2, T));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(1);
        }

        @Test
        void defaultHoldTtlAppliesToExternalHoldsWithoutExpiry() {
            InventoryLedger withTtl = InventoryLedger.builder().clock(clock).defaultHoldTtl(Duration.ofMinutes(5)).build();
            withTtl.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            withTtl.apply(reservationHeld("R-1", "SKU-1", "WH-1", 2, T));
            clock.advance(Duration.ofMinutes(5).minusMillis(1));
            assertThat(withTtl.held("SKU-1", "WH-1")).isEqualTo(2);
            clock.advance(Duration.ofMillis(1));
            assertThat(withTtl.held("SKU-1", "WH-1")).isZero();
        }

        @Test
        void endedReservationsAreForgottenBeyondRetention() {
            InventoryLedger small = InventoryLedger.builder().clock(clock).retainEndedReservations(1).build();
            small.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            small.tryReserve("SKU-1", "WH-1", 1, "a", TTL);
            small.release("a");
            assertThat(small.release("a")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            small.tryReserve("SKU-1", "WH-1", 1, "b", TTL);
            small.release("b");
            assertThat(small.release("a")).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(small.release("b")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        }
    }

    /** Cases a review found: each failed before its fix. */
    @Nested
    class EdgeCases {
        @Test
        void echoOfAConfirmIsADuplicateEvenAfterItsIdentityWasForgotten() {
            InventoryLedger small = InventoryLedger.builder().clock(clock).dedupHorizon(Duration.ofHours(1)).build();
            small.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            small.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            small.confirm("cart-1", "ORD-1");
            // a receipt two days on: the order's identity is forgotten
            small.apply(stockReceived("RCPT-2", "SKU-1", "WH-1", 1, T.plus(Duration.ofDays(2))));
            assertThat(small.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart-1")))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(small.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart-1")
                    .withEventId("evt-77"))).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(small.available("SKU-1", "WH-1")).isEqualTo(9);
        }

        @Test
        void confirmIntoAnOrderIdKnownWithAnotherPayloadChangesNothing() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            ledger.tryReserve("SKU-1", "WH-1", 3, "cart-2", TTL);
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.confirm("cart-2", "ORD-1")).isEqualTo(HoldOutcome.ORDER_CONFLICT);
            assertThat(ledger.position("SKU-1", "WH-1"))
                    .returns(8L, Position::available).returns(3L, Position::held).returns(5L, Position::sellable);
            assertThat(ledger.confirm("cart-2", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(5);
        }

        @Test
        void countsSaturateInsteadOfWrapping() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.setSafetyStock("SKU-1", "WH-1", Long.MAX_VALUE);
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 20, T));
            assertThat(ledger.sellable("SKU-1", "WH-1")).isEqualTo(Long.MIN_VALUE);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1000, "cart-1", TTL).accepted()).isFalse();

            ledger.apply(orderPlaced("ORD-2", "SKU-2", "WH-1", Long.MAX_VALUE, T));
            ledger.apply(reservationHeld("R-1", "SKU-2", "WH-1", 5, T));
            assertThat(ledger.sellable("SKU-2", "WH-1")).isEqualTo(Long.MIN_VALUE);
            assertThat(ledger.confirm("R-1", "ORD-3")).isEqualTo(HoldOutcome.ORDER_CONFLICT);
            assertThat(ledger.available("SKU-2", "WH-1")).isEqualTo(-Long.MAX_VALUE);
        }

        @Test
        void holdLapsesAtItsExpiryToTheNanosecond() {
            Instant expiry = T.plusNanos(500_000);
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T).withExpiresAt(expiry));
            clock.set(expiry.minusNanos(1));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
            clock.set(expiry);
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
        }

        @Test
        void heldWithAnotherQuantityForAnExistingHoldIsAConflict() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T));
            ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T).withEventId("e-1"));
            assertThat(ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 4, T).withEventId("e-2")))
                    .isEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.apply(reservationHeld("R-1", "SKU-1", "WH-1", 3, T).withEventId("e-3")))
                    .isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
        }

        /**
         * A reservation waiting for retirement gains a new line while another thread retires old
         * reservations: the new hold must stay reachable by release, never orphaned.
         */
        @Test
        void aHoldAddedToAnEndedReservationIsNeverOrphanedByRetirement() throws Exception {
            // the ledger's clock at the events' time: in-process releases stand for events at the clock's time
            InventoryLedger l = InventoryLedger.builder().clock(clock).retainEndedReservations(1).build();
            l.apply(stockReceived("RCPT-B", "SKU-B", "WH-1", 1_000_000, T));
            int carts = 100_000;
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread churn = new Thread(() -> {
                for (int i = 0; !done.get(); i++) {
                    l.tryReserve("SKU-B", "WH-1", 1, "churn-" + i, TTL);
                    l.release("churn-" + i);
                }
            });
            churn.start();
            List<String> lost = new ArrayList<>();
            try {
                for (int i = 0; i < carts; i++) {
                    String r = "cart-" + i;
                    l.apply(reservationHeld(r, "SKU-A", "WH-1", 1, T));
                    l.apply(reservationReleased(r, "SKU-A", "WH-1", 1, T)); // r now waits for retirement
                    l.apply(reservationHeld(r, "SKU-A", "WH-2", 1, T));     // ... and gains a line
                    if (l.release(r) != HoldOutcome.RELEASED) {
                        lost.add(r);
                    }
                }
            } finally {
                done.set(true);
                churn.join(60_000);
            }
            assertThat(churn.isAlive()).isFalse();
            assertThat(lost).isEmpty();
            assertThat(l.held("SKU-A", "WH-2")).isZero();
        }
    }

    @Nested
    class Alerts {
        @Test
        void listenersHearTransitionsOnly() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 12, T));
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.BACK_IN_STOCK);
            alerts.clear();
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 1, T)); // 11: still above 10
            assertThat(alerts).isEmpty();
            ledger.apply(orderPlaced("ORD-2", "SKU-1", "WH-1", 2, T)); // 9: crosses below 10
            assertThat(alerts).containsExactly(new StockAlert(StockAlert.Type.LOW_STOCK, "SKU-1", "WH-1", 11, 9, 10, T));
            alerts.clear();
            ledger.apply(orderPlaced("ORD-3", "SKU-1", "WH-1", 2, T)); // 7: still low, no new alert
            assertThat(alerts).isEmpty();
            ledger.apply(orderPlaced("ORD-4", "SKU-1", "WH-1", 7, T)); // 0
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.OUT_OF_STOCK);
            alerts.clear();
            ledger.apply(orderPlaced("ORD-5", "SKU-1", "WH-1", 1, T)); // -1
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.OVERSOLD);
            alerts.clear();
            ledger.apply(orderPlaced("ORD-6", "SKU-1", "WH-1", 1, T)); // -2: still oversold
            assertThat(alerts).isEmpty();
            ledger.apply(returnReceived("RET-1", "SKU-1", "WH-1", 5, T)); // 3
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.BACK_IN_STOCK);
        }

        @Test
        void oneChangeCanCrossSeveralLines() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 20, T));
            alerts.clear();
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 25, T));
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.LOW_STOCK,
                    StockAlert.Type.OUT_OF_STOCK, StockAlert.Type.OVERSOLD);
        }

        @Test
        void confirmRaisesAlertsLikeAnOrder() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 3, T));
            ledger.tryReserve("SKU-1", "WH-1", 3, "cart-1", TTL);
            alerts.clear();
            ledger.confirm("cart-1", "ORD-1");
            assertThat(alerts).extracting(StockAlert::type).containsExactly(StockAlert.Type.OUT_OF_STOCK);
        }

        @Test
        void perPositionThresholdOverridesTheDefault() {
            ledger.setLowStockThreshold("SKU-1", "WH-1", 100);
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 150, T));
            alerts.clear();
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 60, T));
            assertThat(alerts).containsExactly(
                    new StockAlert(StockAlert.Type.LOW_STOCK, "SKU-1", "WH-1", 150, 90, 100, T));
        }

        @Test
        void positionsAddedAfterAnOverrideKeepTheDefaultThreshold() {
            ledger.setLowStockThreshold("SKU-1", "WH-1", 100);
            for (int w = 2; w <= 6; w++) {
                ledger.apply(stockReceived("RCPT-" + w, "SKU-1", "WH-" + w, 12, T));
            }
            alerts.clear();
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-6", 3, T)); // 9 < default 10
            assertThat(alerts).containsExactly(new StockAlert(StockAlert.Type.LOW_STOCK, "SKU-1", "WH-6", 12, 9, 10, T));
        }

        @Test
        void aThrowingListenerNeitherUndoesTheChangeNorSilencesOthers() {
            List<StockAlert> second = new ArrayList<>();
            InventoryLedger l = InventoryLedger.builder().meterRegistry(registry)
                    .listener(a -> {
                        throw new IllegalStateException("boom");
                    }).listener(second::add).build();
            assertThat(l.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(l.available("SKU-1", "WH-1")).isEqualTo(5);
            assertThat(second).hasSize(1);
            assertThat(registry.get("inventory.alert.listener.failures").counter().count()).isEqualTo(1);
        }
    }

    @Nested
    class Metrics {
        @Test
        void eventsAreCountedByKindAndOutcome() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 6, T));
            ledger.apply(orderPlaced("ORD-1", "SKU-1", "WH-1", 1, T));
            assertThat(events("stock_received", "applied")).isEqualTo(1);
            assertThat(events("stock_received", "duplicate")).isEqualTo(1);
            assertThat(events("stock_received", "conflict")).isEqualTo(1);
            assertThat(events("order_placed", "applied")).isEqualTo(1);
            assertThat(registry.get("inventory.identities.remembered").gauge().value()).isEqualTo(2);
        }

        @Test
        void ledgerWorksWithoutARegistry() {
            InventoryLedger bare = InventoryLedger.builder().build();
            bare.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            assertThat(bare.tryReserve("SKU-1", "WH-1", 1, "c", TTL).accepted()).isTrue();
            assertThat(bare.activeHolds()).isEqualTo(1);
        }
    }

    @Nested
    class Builder {
        @Test
        void optionsAreCheckedWhenSet() {
            assertThatThrownBy(() -> InventoryLedger.builder().dedupHorizon(Duration.ofMillis(999)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dedupHorizon")
                    .hasMessageContaining("PT0.999S");
            assertThatThrownBy(() -> InventoryLedger.builder().maxRememberedIdentities(10))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRememberedIdentities")
                    .hasMessageContaining("10");
            assertThatThrownBy(() -> InventoryLedger.builder().lowStockThreshold(-1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            assertThatThrownBy(() -> InventoryLedger.builder().retainEndedReservations(-5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
            assertThatThrownBy(() -> InventoryLedger.builder().defaultHoldTtl(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
            assertThatThrownBy(() -> InventoryLedger.builder().clock(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("clock");
        }
    }
}
