package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.EventKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The ledger's Micrometer meters, created once so the hot paths only increment. Without a registry every
 * method is a cheap no-op. Thread-safe: counters are Micrometer's; gauges read counts their owners keep
 * (positions: the product directory; active holds: the hold book), given once by {@link #gauges}.
 */
public final class LedgerMetrics {
    /** Outcome tags of {@code inventory.events}. */
    public static final int APPLIED = 0, DUPLICATE = 1, CONFLICT = 2, LATE = 3, REFUSED = 4;
    private static final String[] EVENT_OUTCOMES = {"applied", "duplicate", "conflict", "late", "refused"};

    /** Outcome tags of {@code inventory.reservations}. */
    public enum Reservation {
        ACCEPTED, ALREADY_HELD, INSUFFICIENT_STOCK, ID_IN_USE, CONFIRMED, CONFIRMED_AFTER_EXPIRY, RELEASED, EXPIRED, EXTENDED;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final Counter[][] events;
    private final Counter[] reservations;
    private final Counter listenerFailures;
    private final Counter sweepFailures;
    private final Counter backordered;
    /** Discrepancies found by the last audit. */
    private final AtomicLong auditDiscrepancies = new AtomicLong();
    private final MeterRegistry registry; // null without one

    public LedgerMetrics(MeterRegistry registry) {
        this.registry = registry;
        if (registry == null) {
            events = null;
            reservations = null;
            listenerFailures = null;
            sweepFailures = null;
            backordered = null;
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
        sweepFailures = Counter.builder("inventory.holds.sweep.failures")
                .description("Scheduled sweeps of lapsed holds that threw (the schedule goes on)").register(registry);
        backordered = Counter.builder("inventory.backordered.units")
                .description("Units reserved beyond sellable stock, under a backorder limit").register(registry);
        Gauge.builder("inventory.audit.discrepancies", auditDiscrepancies, AtomicLong::get)
                .description("Positions whose held counter differed from their holds at the last audit")
                .register(registry);
    }

    /** Registers the gauges of counts kept elsewhere, read when the registry asks. Once, at construction. */
    public void gauges(LongSupplier positions, LongSupplier activeHolds, LongSupplier rememberedIdentities) {
        if (registry == null) {
            return;
        }
        // strong references: the suppliers are lambdas nothing else holds (Micrometer keeps gauges' objects weakly)
        Gauge.builder("inventory.positions", positions, LongSupplier::getAsLong).strongReference(true)
                .description("(product, warehouse) positions in the ledger").register(registry);
        Gauge.builder("inventory.holds.active", activeHolds, LongSupplier::getAsLong).strongReference(true)
                .description("Holds not yet confirmed, released or expired").register(registry);
        Gauge.builder("inventory.identities.remembered", rememberedIdentities, LongSupplier::getAsLong)
                .strongReference(true)
                .description("Event identities remembered for duplicate detection").register(registry);
    }

    /** Registers the counters of identities forgotten, by why, as the register counts them. Once. */
    public void forgetting(IdentityRegister identities) {
        if (registry == null) {
            return;
        }
        FunctionCounter.builder("inventory.identities.forgotten", identities, IdentityRegister::forgottenByHorizon)
                .tag("reason", "horizon").description("Event identities forgotten, by why").register(registry);
        FunctionCounter.builder("inventory.identities.forgotten", identities, IdentityRegister::forgottenEarly)
                .tag("reason", "memory").description("Event identities forgotten, by why").register(registry);
    }

    /** Sets what the last audit found. */
    public void auditFound(int discrepancies) {
        auditDiscrepancies.set(discrepancies);
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

    /** Counts units reserved on backorder. */
    public void backordered(long units) {
        if (backordered != null) {
            backordered.increment(units);
        }
    }

    /** Counts a scheduled sweep of lapsed holds that threw. */
    public void sweepFailed() {
        if (sweepFailures != null) {
            sweepFailures.increment();
        }
    }

    /** Counts a listener that threw. */
    public void listenerFailed() {
        if (listenerFailures != null) {
            listenerFailures.increment();
        }
    }
}
