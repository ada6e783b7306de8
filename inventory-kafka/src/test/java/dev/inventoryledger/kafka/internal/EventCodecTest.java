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

    @Test
    void theFastTimePathReadsWhatTheFormatterReads() throws Exception {
        String[] accepted = {"2026-11-25T10:00:00Z", "2026-11-25T12:00:00+02:00", "2026-11-25T04:30:00-05:30",
                "2024-02-29T23:59:59.999999999Z", "2026-11-25T10:00:00.1Z", "0001-01-02T00:00:00+17:59",
                "9999-12-30T23:59:59.123-17:59", "2026-11-25T10:00:00.000000001+00:00"};
        for (String text : accepted) {
            assertThat(EventCodec.fastInstant(text.toCharArray(), 0, text.length())).as(text).isEqualTo(formatter(text));
            assertThat(decode(EventKind.STOCK_RECEIVED, receipt(text)).eventTime()).as(text).isEqualTo(formatter(text));
        }
        // Left to the formatter, which accepts some (another shape, -00:00, the ±18:00 extreme) and refuses the
        // rest with its own words.
        String[] notFast = {"2026-11-25T10:00Z", "2026-11-25t10:00:00z", "2026-11-25T10:00:00.Z", "2023-02-29T10:00:00Z",
                "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-13-25T10:00:00Z", "2026-11-31T10:00:00Z",
                "2026-11-25T10:00:00-00:00", "2026-11-25T10:00:00+18:00", "2026-11-25T10:00:00.1234567891Z",
                "2026-11-25T10:00:00+0200", "2026-11-25T10:00:00", "+2026-11-25T10:00:00Z", "2026-11-25 10:00:00Z"};
        for (String text : notFast) {
            assertThat(EventCodec.fastInstant(text.toCharArray(), 0, text.length())).as(text).isNull();
        }
        assertThat(decode(EventKind.STOCK_RECEIVED, receipt("2026-11-25T10:00:00-00:00")).eventTime())
                .isEqualTo(formatter("2026-11-25T10:00:00-00:00"));
        assertRefused(EventKind.STOCK_RECEIVED, receipt("2023-02-29T10:00:00Z"),
                "event_time must be an ISO-8601 instant with an offset or Z but was '2023-02-29T10:00:00Z'");
    }

    /**
     * Random instants in every form the formatter writes, and mutations of them (a character replaced, dropped
     * or doubled): wherever the fast path gives an instant, the formatter accepts the text and gives the same.
     */
    @Test
    void theFastTimePathNeverDisagreesWithTheFormatter() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        String alphabet = "0123456789-:T.Z+ zt9";
        int fast = 0;
        for (int n = 0; n < 200_000; n++) {
            java.time.ZoneOffset offset = java.time.ZoneOffset.ofTotalSeconds(60 * (random.nextInt(2 * 18 * 60 + 1) - 18 * 60));
            long seconds = random.nextLong(java.time.Instant.parse("0001-01-01T00:00:00Z").getEpochSecond() + 86_400,
                    java.time.Instant.parse("9999-12-31T00:00:00Z").getEpochSecond());
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            String text = java.time.OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset).toString();
            if (random.nextBoolean()) {
                int at = random.nextInt(text.length());
                char ch = alphabet.charAt(random.nextInt(alphabet.length()));
                text = switch (random.nextInt(3)) {
                    case 0 -> text.substring(0, at) + ch + text.substring(at + 1);
                    case 1 -> text.substring(0, at) + text.substring(at + 1);
                    default -> text.substring(0, at) + text.charAt(at) + text.substring(at);
                };
            }
            char[] padded = ("xx" + text + "yy").toCharArray(); // the parser's buffer holds more than the value
            Instant quick = EventCodec.fastInstant(padded, 2, text.length());
            if (quick != null) {
                fast++;
                assertThat(quick).as(text).isEqualTo(formatter(text));
            }
        }
        assertThat(fast).as("texts the fast path read").isGreaterThan(100_000);
    }

    private static Instant formatter(String text) {
        return java.time.OffsetDateTime.parse(text, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    private static String receipt(String time) {
        return "{\"receipt_id\":\"R\",\"product_id\":\"P\",\"warehouse_id\":\"W\",\"quantity\":1,\"event_time\":\""
                + time + "\"}";
    }

    private void assertRefused(EventKind kind, String json, String reason) {
        assertThatThrownBy(() -> decode(kind, json)).isInstanceOf(EventCodec.Refused.class).hasMessageContaining(reason);
    }
}
