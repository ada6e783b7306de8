package dev.inventoryledger.kafka.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.StockAlert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;

/**
 * The article's JSON (snake_case fields, {@code event_time} as ISO-8601 with an offset or {@code Z}) to and
 * from {@link InventoryEvent}, with Jackson's streaming parser: no reflection, no tree per record. Unknown
 * fields are skipped; a wrong type, a missing or invalid field, an unknown status, an unparseable time, an
 * oversized record or bytes that are not one JSON object are refused with a {@link Refused} that says why.
 *
 * <p>Thread-safe: the {@link JsonFactory} is shared, parsers are per call.
 */
public final class EventCodec {
    private static final JsonFactory JSON = new JsonFactory();

    private final int maxRecordBytes;

    /** @param maxRecordBytes larger records are refused before parsing */
    public EventCodec(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** A record the codec cannot turn into an event; {@link #getMessage()} is the reason. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param reason why the record is refused, naming the field and the value where there is one */
        public Refused(String reason) {
            super(reason, null, false, false); // no stack trace: refusals are data, and may be many
        }
    }

    /**
     * Decodes one record of a topic whose events are of {@code kind} (for the reservations topic, either
     * reservation kind: the {@code status} field decides).
     */
    public InventoryEvent decode(EventKind kind, byte[] value) throws Refused {
        if (value == null) {
            throw new Refused("value is null (a tombstone), not an event");
        }
        if (value.length > maxRecordBytes) {
            throw new Refused("record of " + value.length + " bytes is over the limit of " + maxRecordBytes);
        }
        Fields f = new Fields();
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Refused("value is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                f.read(kind, p, field, p.nextToken());
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new Refused("value is not a single JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new Refused("value is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a byte array does not do I/O
        }
        return f.toEvent(kind);
    }

    /** The fields of one record as read, before they are checked together; one per {@link #decode}. */
    private static final class Fields {
        private String id, product, warehouse, eventId, reservationId, status;
        private String time, expires; // the text, when the fast path did not read it (the formatter will)
        private Instant fastTime, fastExpires;
        private long quantity;
        private boolean hasQuantity;

        /** Reads the value {@code v} of {@code field}; an unknown field is skipped. */
        void read(EventKind kind, JsonParser p, String field, JsonToken v) throws Refused, IOException {
            switch (field) {
                case "product_id" -> product = text(p, v, field);
                case "warehouse_id" -> warehouse = text(p, v, field);
                case "event_id" -> eventId = text(p, v, field);
                case "event_time" -> {
                    fastTime = v == JsonToken.VALUE_STRING ? fastInstant(p) : null;
                    time = fastTime == null ? text(p, v, field) : null;
                }
                case "expires_at" -> {
                    fastExpires = v == JsonToken.VALUE_STRING ? fastInstant(p) : null;
                    expires = fastExpires == null ? text(p, v, field) : null;
                }
                case "status" -> status = text(p, v, field);
                case "quantity" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        throw new Refused("quantity must be a whole number but was " + describe(p, v));
                    }
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new Refused("quantity is out of range: " + p.getText());
                    }
                    quantity = p.getLongValue();
                    hasQuantity = true;
                }
                default -> {
                    if (field.equals(kind.idField())) {
                        id = text(p, v, field);
                    } else if (field.equals("reservation_id")) {
                        reservationId = text(p, v, field);
                    } else {
                        p.skipChildren(); // unknown fields are ignored
                    }
                }
            }
        }

        /** The event these fields make on a topic of {@code kind}, or why they make none. */
        InventoryEvent toEvent(EventKind kind) throws Refused {
            if (!hasQuantity) {
                throw new Refused("quantity is missing");
            }
            EventKind actual = kind;
            if (kind.isReservation()) {
                if (status == null) {
                    throw new Refused("status is missing (held or released)");
                }
                actual = switch (status) {
                    case "held" -> EventKind.RESERVATION_HELD;
                    case "released" -> EventKind.RESERVATION_RELEASED;
                    default -> throw new Refused("status must be held or released but was '" + status + "'");
                };
            }
            try {
                Instant eventTime = fastTime != null ? fastTime : time == null ? null : instant("event_time", time);
                Instant expiresAt = fastExpires != null ? fastExpires
                        : expires == null ? null : instant("expires_at", expires);
                String ownReservation = actual.isReservation() ? id : reservationId;
                return new InventoryEvent(actual, id, product, warehouse, quantity, eventTime, eventId, ownReservation,
                        expiresAt);
            } catch (InvalidEventException e) {
                throw new Refused(e.getMessage());
            }
        }
    }

    private static String text(JsonParser p, JsonToken v, String field) throws Refused, IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw new Refused(field + " must be a string but was " + describe(p, v));
        }
        return p.getText();
    }

    private static String describe(JsonParser p, JsonToken v) throws IOException {
        return v.isScalarValue() ? v.name().toLowerCase().replace("value_", "") + " " + p.getText()
                : v == JsonToken.START_OBJECT ? "an object" : "an array";
    }

    private static Instant fastInstant(JsonParser p) throws IOException {
        return fastInstant(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    /**
     * The usual shape of an instant, {@code uuuu-MM-ddTHH:mm:ss[.f…f](Z|+HH:MM|-HH:MM)} with 1 to 9 fraction
     * digits, read without {@link DateTimeFormatter} (which costs about a microsecond a record, as much as
     * the rest of decoding). Returns null for anything else, including text of that shape with a field out of
     * range: the formatter then decides, so that what is accepted, the instant it stands for, and the wording
     * of every refusal stay exactly the formatter's.
     */
    static Instant fastInstant(char[] c, int off, int len) {
        if (len < 20 || c[off + 4] != '-' || c[off + 7] != '-' || c[off + 10] != 'T' || c[off + 13] != ':'
                || c[off + 16] != ':') {
            return null;
        }
        int year = digits(c, off, 4), month = digits(c, off + 5, 2), day = digits(c, off + 8, 2);
        int hour = digits(c, off + 11, 2), minute = digits(c, off + 14, 2), second = digits(c, off + 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || day > 28 && day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59
                || second > 59) {
            return null;
        }
        int i = off + 19, end = off + len, nanos = 0;
        if (c[i] == '.') {
            int first = ++i;
            while (i < end && i - first < 9 && c[i] >= '0' && c[i] <= '9') {
                nanos = nanos * 10 + (c[i++] - '0');
            }
            if (i == first) {
                return null;
            }
            for (int k = i - first; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == end - 1 && c[i] == 'Z') {
            offsetSeconds = 0;
        } else if (i == end - 6 && (c[i] == '+' || c[i] == '-') && c[i + 3] == ':') {
            int oh = digits(c, i + 1, 2), om = digits(c, i + 4, 2);
            if (oh < 0 || om < 0 || oh > 17 || om > 59 || c[i] == '-' && oh == 0 && om == 0) {
                return null; // -00:00 and the extremes: the formatter's call
            }
            offsetSeconds = (c[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds, nanos);
    }

    /** The value of {@code n} ASCII digits, or −1 if one is not a digit. */
    private static int digits(char[] c, int off, int n) {
        int v = 0;
        for (int i = off; i < off + n; i++) {
            char d = c[i];
            if (d < '0' || d > '9') {
                return -1;
            }
            v = v * 10 + (d - '0');
        }
        return v;
    }

    private static Instant instant(String field, String text) throws Refused {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refused(field + " must be an ISO-8601 instant with an offset or Z but was '" + text + "'");
        }
    }

    /**
     * An alert as JSON: {@code alert_id}, {@code alert_type} ({@code low_stock}, {@code out_of_stock},
     * {@code back_in_stock}, {@code oversold}), {@code product_id}, {@code warehouse_id},
     * {@code available_quantity} (the article's column), {@code previous_quantity}, {@code threshold},
     * {@code event_time}. The {@code alert_id} is derived from the other fields, so instances that see the
     * same transition publish the same id and a subscriber can drop the copies.
     */
    public static byte[] encode(StockAlert a) {
        String type = a.type().name().toLowerCase(Locale.ROOT);
        String id = UUID.nameUUIDFromBytes(String.join("\u0000", type, a.productId(), a.warehouseId(),
                Long.toString(a.before()), Long.toString(a.available()), a.eventTime().toString())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("alert_id", id);
            g.writeStringField("alert_type", type);
            g.writeStringField("product_id", a.productId());
            g.writeStringField("warehouse_id", a.warehouseId());
            g.writeNumberField("available_quantity", a.available());
            g.writeNumberField("previous_quantity", a.before());
            g.writeNumberField("threshold", a.threshold());
            g.writeStringField("event_time", a.eventTime().toString());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** The article's JSON for an event (the form the decoder reads back). */
    public static byte[] encode(InventoryEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(e.kind().idField(), e.id());
            g.writeStringField("product_id", e.productId());
            g.writeStringField("warehouse_id", e.warehouseId());
            g.writeNumberField("quantity", e.quantity());
            if (e.kind().isReservation()) {
                g.writeStringField("status", e.kind() == EventKind.RESERVATION_HELD ? "held" : "released");
            } else if (e.reservationId() != null) {
                g.writeStringField("reservation_id", e.reservationId());
            }
            g.writeStringField("event_time", e.eventTime().toString());
            if (e.expiresAt() != null) {
                g.writeStringField("expires_at", e.expiresAt().toString());
            }
            if (e.eventId() != null) {
                g.writeStringField("event_id", e.eventId());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
