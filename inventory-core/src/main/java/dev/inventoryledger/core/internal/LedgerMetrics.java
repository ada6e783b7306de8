package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.EventKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The ledger's Micrometer meters, created once so the hot paths only increment. Without a registry every
 * method is a cheap no-op. Thread-safe: counters are Micrometer's, gauges read {@link LongAdder}s.
 */
public final class LedgerMetrics {
    /** Outcome tags of {@code inventory.events}. */
    public static final int APPLIED = 0, DUPLICATE = 1, CONFLICT = 2, REFUSED = 3;
    private static final String[] EVENT_OUTCOMES = {"applied", "duplicate", "conflict", "refused"};

    /** Outcome tags of {@code inventory.reservations}. */
    public enum Reservation {
        ACCEPTED, ALREADY_HELD, INSUFFICIENT_STOCK, ID_IN_USE, CONFIRMED, RELEASED, EXPIRED;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** Positions in the ledger. */
    public final LongAdder positions = new LongAdder();
    /** Holds now active. */
    public final LongAdder activeHolds = new LongAdder();

    private final Counter[][] events;
    private final Counter[] reservations;
    private final Counter listenerFailures;

    public LedgerMetrics(MeterRegistry registry, ToDoubleFunction<Object> remembered, Object ledger) {
        if (registry == null) {
            events = null;
            reservations = null;
            listenerFailures = null;
            return;
        }
        EventKind[] kinds = EventKind.values();
        events = new Counter[kinds.length][EVENT_OUTCOMES.length];
        for (EventKind k : kinds) {
            for (int o = 0; o < EVENT_OUTCOMES.length; o++) {
                events[k.ordinal()][o] = Counter.builder("inventory.events")
                        .description("Inventory events offered to the ledger, by kind and outcome")
                        .tag("kind", k.name().toLowerCase(Locale.ROOT)).tag("outcome", EVENT_OUTCOMES[o])
                        .register(registry);
            }
        }
        Reservation[] rs = Reservation.values();
        reservations = new Counter[rs.length];
        for (Reservation r : rs) {
            reservations[r.ordinal()] = Counter.builder("inventory.reservations")
                    .description("Reservation attempts and hold endings, by outcome")
                    .tag("outcome", r.tag).register(registry);
        }
        listenerFailures = Counter.builder("inventory.alert.listener.failures")
                .description("Exceptions thrown by stock alert listeners (dropped)").register(registry);
        Gauge.builder("inventory.positions", positions, LongAdder::sum)
                .description("(product, warehouse) positions in the ledger").register(registry);
        Gauge.builder("inventory.holds.active", activeHolds, LongAdder::sum)
                .description("Holds not yet confirmed, released or expired").register(registry);
        Gauge.builder("inventory.identities.remembered", ledger, remembered)
                .description("Event identities remembered for duplicate detection").register(registry);
    }

    /** Counts one event outcome. */
    public void event(EventKind kind, int outcome) {
        if (events != null) {
            events[kind.ordinal()][outcome].increment();
        }
    }

    /** Counts one reservation outcome. */
    public void reservation(Reservation outcome) {
        if (reservations != null) {
            reservations[outcome.ordinal()].increment();
        }
    }

    /** Counts a listener that threw. */
    public void listenerFailed() {
        if (listenerFailures != null) {
            listenerFailures.increment();
        }
    }
}
