package dev.inventoryledger.core.internal;

import java.time.Duration;
import java.time.Instant;

/** The ledger's time units: event times in epoch microseconds, hold expiries in epoch nanoseconds. */
public final class Times {
    private Times() {
    }

    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /**
     * Epoch nanoseconds, exact for years 1678 to 2261; later saturates to {@link HoldLine#NEVER} (a hold
     * that far out never lapses in practice), earlier to a time long past.
     */
    public static long nanos(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return HoldLine.NEVER;
        }
        if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
            return Long.MIN_VALUE + 1;
        }
        return seconds * 1_000_000_000L + t.getNano();
    }

    public static Instant instantOfNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** {@code t + d} in epoch nanoseconds, or {@link HoldLine#NEVER} past the representable range. */
    public static long plusNanos(Instant t, Duration d) {
        try {
            return nanos(t.plus(d));
        } catch (ArithmeticException | java.time.DateTimeException tooFar) {
            return HoldLine.NEVER;
        }
    }
}
