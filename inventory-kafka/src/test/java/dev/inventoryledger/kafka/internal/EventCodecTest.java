package dev.inventoryledger.kafka.internal;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The article's JSON, both ways, and every refusal with its reason. */
class EventCodecTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private final EventCodec codec = new EventCodec(1024);

    private InventoryEvent decode(EventKind kind, String json) throws EventCodec.Refused {
        return codec.decode(kind, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyKindRoundTrips() throws Exception {
        InventoryEvent[] events = {
                InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T).withReservationId("cart-1").withEventId("e1"),
                InventoryEvent.orderCancelled("ORD-1", "SKU-1", "WH-1", 2, T),
                InventoryEvent.returnReceived("RET-1", "SKU-1", "WH-1", 1, T.plusNanos(123_000)),
                InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, T),
                InventoryEvent.reservationHeld("R-1", "SKU-1", "WH-1", 3, T).withExpiresAt(T.plusSeconds(900)),
                InventoryEvent.reservationReleased("R-1", "SKU-1", "WH-1", 3, T)};
        for (InventoryEvent e : events) {
            EventKind topicKind = e.kind().isReservation() ? EventKind.RESERVATION_HELD : e.kind();
            assertThat(codec.decode(topicKind, EventCodec.encode(e))).isEqualTo(e);
        }
    }

    @Test
    void readsTheArticlesShapeWithOffsetsAndIgnoresUnknownFields() throws Exception {
        InventoryEvent e = decode(EventKind.ORDER_PLACED, "{\"order_id\":\"ORD-9\",\"product_id\":\"SKU-98231\","
                + "\"warehouse_id\":\"WH-EAST-01\",\"quantity\":2,\"event_time\":\"2026-11-25T12:00:00+02:00\","
                + "\"customer\":{\"id\":7,\"tags\":[1,2]}}");
        assertThat(e).isEqualTo(InventoryEvent.orderPlaced("ORD-9", "SKU-98231", "WH-EAST-01", 2, T));
    }

    @Test
    void refusalsSayWhy() {
        String ok = "\"order_id\":\"O\",\"product_id\":\"P\",\"warehouse_id\":\"W\",\"event_time\":\"2026-11-25T10:00:00Z\"";
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + "}", "quantity is missing");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + ",\"quantity\":1.5}", "quantity must be a whole number");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + ",\"quantity\":99999999999999999999}", "out of range");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + ",\"quantity\":0}", "quantity must be > 0 but was 0");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok.replace("\"P\"", "7") + ",\"quantity\":1}",
                "product_id must be a string but was number_int 7");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok.replace("\"order_id\":\"O\",", "") + ",\"quantity\":1}",
                "order_id must be given");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok.replace("2026-11-25T10:00:00Z", "2026-11-25 10:00") + ",\"quantity\":1}",
                "event_time must be an ISO-8601 instant");
        assertRefused(EventKind.RESERVATION_HELD, "{" + ok.replace("order_id", "reservation_id") + ",\"quantity\":1}",
                "status is missing");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + ",\"quantity\":1} {}", "not a single JSON object");
        assertRefused(EventKind.ORDER_PLACED, "{\"order_id\":", "not valid JSON");
        assertRefused(EventKind.ORDER_PLACED, "\"just a string\"", "not a JSON object");
        assertRefused(EventKind.ORDER_PLACED, "{" + ok + ",\"quantity\":1,\"pad\":\"" + "x".repeat(1100) + "\"}",
                "over the limit of 1024");
        assertThatThrownBy(() -> codec.decode(EventKind.ORDER_PLACED, null)).hasMessageContaining("null");
    }

    private void assertRefused(EventKind kind, String json, String reason) {
        assertThatThrownBy(() -> decode(kind, json)).isInstanceOf(EventCodec.Refused.class).hasMessageContaining(reason);
    }
}
