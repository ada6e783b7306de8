package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.ReservationResult;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** A cluster instance's meters (none without a registry); see {@code InventoryCluster}'s comment. */
public final class ClusterMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    // Micrometer holds gauge objects weakly: the suppliers are kept here
    private final List<Object> suppliers = new ArrayList<>();

    public ClusterMetrics(MeterRegistry registry, IntSupplier owned, IntSupplier waiting) {
        this.registry = registry;
        gauge("inventory.cluster.partitions.owned", owned::getAsInt);
        gauge("inventory.cluster.waiting", waiting::getAsInt);
    }

    /** Registers the count of fenced records skipped. */
    public void fenced(LongSupplier fenced) {
        gauge("inventory.cluster.fenced.records", fenced::getAsLong);
    }

    /** Times the call from {@code began} to its answer, tagged by operation, where decided, and outcome. */
    public CompletableFuture<Object> timed(CompletableFuture<Object> call, String op, String where, long began) {
        if (registry == null) {
            return call;
        }
        return call.whenComplete((o, e) -> Timer.builder("inventory.cluster.calls")
                .tags("op", op, "where", where, "outcome", outcome(o)).register(registry)
                .record(System.nanoTime() - began, TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() {
        if (registry != null) {
            gauges.forEach(registry::remove);
        }
    }

    private void gauge(String name, LongSupplier value) {
        if (registry != null) {
            suppliers.add(value);
            gauges.add(Gauge.builder(name, value, v -> (double) v.getAsLong()).register(registry));
        }
    }

    private static String outcome(Object o) {
        if (o instanceof ReservationResult r) {
            return r.status().name().toLowerCase();
        }
        return o instanceof HoldOutcome h ? h.name().toLowerCase() : "unknown";
    }
}
