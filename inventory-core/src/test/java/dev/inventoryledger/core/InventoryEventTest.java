package dev.inventoryledger.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The README's event table ("What the core does"): every kind made by its factory, and every refused input named in the message. */
class InventoryEventTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void factoriesMakeEachKindWithTheArticlesFields() {
        assertThat(InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T))
                .returns(EventKind.ORDER_PLACED, InventoryEvent::kind).returns("ORD-1", InventoryEvent::id)
                .returns("SKU-1", InventoryEvent::productId).returns("WH-1", InventoryEvent::warehouseId)
                .returns(2L, InventoryEvent::quantity).returns(T, InventoryEvent::eventTime)
                .returns(-2L, InventoryEvent::availableDelta);
        assertThat(InventoryEvent.orderCancelled("ORD-1", "SKU-1", "WH-1", 2, T).availableDelta()).isEqualTo(2);
        assertThat(InventoryEvent.returnReceived("RET-1", "SKU-1", "WH-1", 1, T).kind())
                .isEqualTo(EventKind.RETURN_RECEIVED);
        assertThat(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T).availableDelta()).isEqualTo(9);
        InventoryEvent held = InventoryEvent.reservationHeld("R-1", "SKU-1", "WH-1", 3, T);
        assertThat(held.reservationId()).isEqualTo("R-1");
        assertThat(held.availableDelta()).isZero();
        assertThat(InventoryEvent.reservationReleased("R-1", "SKU-1", "WH-1", 3, T).kind())
                .isEqualTo(EventKind.RESERVATION_RELEASED);
    }

    @Test
    void optionalFieldsAreCarried() {
        InventoryEvent e = InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T)
                .withEventId("evt-1").withReservationId("cart-1");
        assertThat(e.eventId()).isEqualTo("evt-1");
        assertThat(e.reservationId()).isEqualTo("cart-1");
        Instant later = T.plusSeconds(900);
        assertThat(InventoryEvent.reservationHeld("R-1", "SKU-1", "WH-1", 1, T).withExpiresAt(later).expiresAt())
                .isEqualTo(later);
        assertThat(e.toString()).contains("ORD-1", "SKU-1", "WH-1", "evt-1", "cart-1");
    }

    @Test
    void eventsAreValues() {
        assertThat(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T))
                .isEqualTo(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T))
                .hasSameHashCodeAs(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 9, T))
                .isNotEqualTo(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 8, T));
    }

    @Test
    void nullOrderIdIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced(null, "SKU-1", "WH-1", 1, T), "order_id", "null");
    }

    @Test
    void blankReceiptIdIsRefused() {
        assertRefused(() -> InventoryEvent.stockReceived("  ", "SKU-1", "WH-1", 1, T), "receipt_id", "'  '");
    }

    @Test
    void blankReturnIdIsRefused() {
        assertRefused(() -> InventoryEvent.returnReceived("", "SKU-1", "WH-1", 1, T), "return_id", "''");
    }

    @Test
    void nullReservationIdIsRefused() {
        assertRefused(() -> InventoryEvent.reservationHeld(null, "SKU-1", "WH-1", 1, T), "reservation_id", "null");
    }

    @Test
    void nullProductIdIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced("ORD-7", null, "WH-1", 1, T), "product_id", "ORD-7");
    }

    @Test
    void blankProductIdIsRefused() {
        assertRefused(() -> InventoryEvent.orderCancelled("ORD-7", " ", "WH-1", 1, T), "product_id", "ORD-7");
    }

    @Test
    void nullWarehouseIdIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced("ORD-7", "SKU-1", null, 1, T), "warehouse_id", "SKU-1");
    }

    @Test
    void blankWarehouseIdIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced("ORD-7", "SKU-1", "\t", 1, T), "warehouse_id", "SKU-1");
    }

    @Test
    void overlongIdIsRefusedWithTheBound() {
        String longId = "X".repeat(InventoryEvent.MAX_ID_LENGTH + 1);
        assertRefused(() -> InventoryEvent.orderPlaced(longId, "SKU-1", "WH-1", 1, T), "order_id",
                String.valueOf(InventoryEvent.MAX_ID_LENGTH));
        assertThat(InventoryEvent.orderPlaced("X".repeat(InventoryEvent.MAX_ID_LENGTH), "SKU-1", "WH-1", 1, T))
                .isNotNull();
    }

    @Test
    void overlongProductIdIsRefused() {
        assertRefused(() -> InventoryEvent.stockReceived("R", "P".repeat(500), "WH-1", 1, T), "product_id", "500");
    }

    @Test
    void zeroQuantityIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced("ORD-7", "SKU-1", "WH-1", 0, T), "quantity",
                "quantity must be > 0 but was 0 (order_id ORD-7, product SKU-1)");
    }

    @Test
    void negativeQuantityIsRefused() {
        assertRefused(() -> InventoryEvent.orderPlaced("ORD-7", "SKU-1", "WH-1", -3, T), "quantity",
                "quantity must be > 0 but was -3 (order_id ORD-7, product SKU-1)");
    }

    @Test
    void nullEventTimeIsRefused() {
        assertRefused(() -> InventoryEvent.returnReceived("RET-1", "SKU-1", "WH-1", 1, null), "event_time", "null");
    }

    @Test
    void eventTimeOutOfRangeIsRefused() {
        assertRefused(() -> InventoryEvent.returnReceived("RET-1", "SKU-1", "WH-1", 1, Instant.MAX), "event_time",
                Instant.MAX.toString());
    }

    @Test
    void blankEventIdIsRefused() {
        assertRefused(() -> InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 1, T).withEventId(""),
                "event_id", "''");
    }

    @Test
    void reservationIdOnAReceiptIsRefused() {
        assertRefused(() -> InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 1, T).withReservationId("cart-1"),
                "reservation_id", "cart-1");
    }

    @Test
    void reservationIdOtherThanTheReservationsOwnIsRefused() {
        assertRefused(() -> InventoryEvent.reservationHeld("R-1", "SKU-1", "WH-1", 1, T).withReservationId("R-2"),
                "reservation_id", "R-2");
    }

    @ParameterizedTest
    @EnumSource(value = EventKind.class, names = "RESERVATION_HELD", mode = EnumSource.Mode.EXCLUDE)
    void expiryOnAnythingButAHoldIsRefused(EventKind kind) {
        assertRefused(() -> new InventoryEvent(kind, "ID-1", "SKU-1", "WH-1", 1, T, null,
                kind.isReservation() ? "ID-1" : null, T), "expires_at", T.toString());
    }

    @Test
    void nullKindIsRefused() {
        assertRefused(() -> new InventoryEvent(null, "ID-1", "SKU-1", "WH-1", 1, T, null, null, null), "kind", "null");
    }

    @Test
    void kindsKnowTheirTopicsAndIdFields() {
        assertThat(EventKind.ORDER_CANCELLED.defaultTopic()).isEqualTo("order_cancellations");
        assertThat(EventKind.STOCK_RECEIVED.defaultTopic()).isEqualTo("warehouse_receipts");
        assertThat(EventKind.RETURN_RECEIVED.idField()).isEqualTo("return_id");
        assertThat(EventKind.RESERVATION_RELEASED.defaultTopic()).isEqualTo("reservations");
    }

    static void assertRefused(Runnable make, String field, String messagePart) {
        assertThatThrownBy(make::run).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(field).hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo(field));
    }
}
