package dev.inventoryledger.kafka;

import java.time.Duration;
import java.util.Objects;

/** Checks shared by the builders: a refused option names itself and its value. */
final class Options {
    private Options() {
    }

    static String requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank but was '" + value + "'");
        }
        return value;
    }

    static Duration requirePositive(String what, Duration value) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0 but was " + value);
        }
        return value;
    }
}
