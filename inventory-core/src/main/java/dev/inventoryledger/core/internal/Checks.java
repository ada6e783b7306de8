package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.InvalidEventException;

import dev.inventoryledger.core.ReservationLine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by events and ledger calls; every failure names the field and the value. */
public final class Checks {
    /** Longest id accepted, in chars (see {@link dev.inventoryledger.core.InventoryEvent#MAX_ID_LENGTH}). */
    public static final int MAX_ID_LENGTH = 128;
    /** Earliest event time accepted. */
    public static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
    /** Latest event time accepted. */
    public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private Checks() {
    }

    /** True if {@link #id} would accept the value. */
    public static boolean isId(String value) {
        return value != null && value.length() <= MAX_ID_LENGTH && !value.isBlank();
    }

    /** True if {@link #time} would accept the value. */
    public static boolean isTime(Instant value) {
        return value != null && !value.isBefore(MIN_TIME) && !value.isAfter(MAX_TIME);
    }

    /** Refuses a null, blank or over-long id. */
    public static String id(String field, String value, String context) {
        if (value == null) {
            throw new InvalidEventException(field, null, field + " must be given but was null" + context);
        }
        if (value.isBlank()) {
            throw new InvalidEventException(field, value, field + " must not be blank but was '" + value + "'" + context);
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException(field, value, field + " must be at most " + MAX_ID_LENGTH
                    + " characters but was " + value.length() + " ('" + value.substring(0, 32) + "...')" + context);
        }
        return value;
    }

    /** Refuses a quantity that is not positive. */
    public static long quantity(long value, String context) {
        if (value <= 0) {
            throw new InvalidEventException("quantity", value, "quantity must be > 0 but was " + value + context);
        }
        return value;
    }

    /** Refuses a null time or one outside years 1 to 9999. */
    public static Instant time(String field, Instant value, String context) {
        if (value == null) {
            throw new InvalidEventException(field, null, field + " must be given but was null" + context);
        }
        if (value.isBefore(MIN_TIME) || value.isAfter(MAX_TIME)) {
            throw new InvalidEventException(field, value, field + " must be between years 1 and 9999 but was "
                    + value + context);
        }
        return value;
    }

    /** Refuses a null, zero or negative time to live. */
    public static Duration ttl(Duration value, String context) {
        if (value == null) {
            throw new InvalidEventException("ttl", null, "ttl must be given but was null" + context);
        }
        if (value.isNegative() || value.isZero()) {
            throw new InvalidEventException("ttl", value, "ttl must be > 0 but was " + value + context);
        }
        return value;
    }

    /** Refuses a negative setting. */
    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new InvalidEventException(field, value, field + " must be >= 0 but was " + value);
        }
        return value;
    }

    /** Refuses a null or empty list of lines; a null line is a {@link NullPointerException}. */
    public static List<ReservationLine> lines(List<ReservationLine> lines, String context) {
        if (lines == null || lines.isEmpty()) {
            throw new InvalidEventException("lines", lines, "lines must name at least one line but was " + lines
                    + context);
        }
        for (ReservationLine l : lines) {
            Objects.requireNonNull(l, "line");
        }
        return lines;
    }

    /**
     * Refuses a part of a hold ({@code what}: "confirm", "release") that is null or empty, or that has a line
     * with no warehouse.
     */
    public static List<ReservationLine> partLines(List<ReservationLine> part, String what, String context) {
        lines(part, context);
        for (ReservationLine l : part) {
            if (l.isAnyWarehouse()) {
                throw new InvalidEventException("warehouse_id", null, "warehouse_id must be given to " + what
                        + " part of a basket but was null (product " + l.productId() + ")" + context);
            }
        }
        return part;
    }

    /** Refuses a builder option: an {@link IllegalArgumentException} with the message, its value formatted in. */
    public static void argument(boolean ok, String message, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(message, value));
        }
    }

    /** Refuses a setting above {@code max}. */
    public static long atMost(String field, long value, long max) {
        if (value > max) {
            throw new InvalidEventException(field, value, field + " must be <= " + max + " but was " + value);
        }
        return value;
    }
}
