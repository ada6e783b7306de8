package dev.inventoryledger.kafka.internal.snapshot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The snapshots' meters: {@code inventory.snapshots{outcome=written|failed}}, {@code inventory.snapshot.bytes}
 * (bytes written), {@code inventory.snapshot.duration} (capture to acknowledged manifest),
 * {@code inventory.snapshot.pause} (how long the partition was held still for the capture) and
 * {@code inventory.snapshot.age{partition}} (seconds since the newest snapshot this instance wrote or started
 * from). Without a registry every method only keeps the ages. Thread-safe.
 */
public final class SnapshotMetrics implements AutoCloseable {
    private final MeterRegistry registry; // null without one
    private final Clock clock;
    private final Counter written, failed, bytes;
    private final Timer duration, pause;
    /** Epoch millis of the newest snapshot per partition, written by the writer and the start. */
    private final Map<Integer, Long> newest = new ConcurrentHashMap<>();
    private final List<Gauge> gauges = new ArrayList<>();

    public SnapshotMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        if (registry == null) {
            written = failed = bytes = null;
            duration = pause = null;
            return;
        }
        written = Counter.builder("inventory.snapshots").tag("outcome", "written")
                .description("Partition snapshots written to the snapshot topic, by outcome").register(registry);
        failed = Counter.builder("inventory.snapshots").tag("outcome", "failed")
                .description("Partition snapshots written to the snapshot topic, by outcome").register(registry);
        bytes = Counter.builder("inventory.snapshot.bytes").baseUnit("bytes")
                .description("Bytes of snapshots written").register(registry);
        duration = Timer.builder("inventory.snapshot.duration")
                .description("From a partition's capture to its manifest acknowledged").register(registry);
        pause = Timer.builder("inventory.snapshot.pause")
                .description("How long a partition was held still (decisions and the feed) for its capture")
                .register(registry);
    }

    /** A snapshot of the partition was written (its manifest acknowledged). */
    void written(int partition, long byteCount, Duration took, long writtenAtMillis) {
        newest.merge(partition, writtenAtMillis, Math::max);
        gauge(partition);
        if (written != null) {
            written.increment();
            bytes.increment(byteCount);
            duration.record(took);
        }
    }

    /** A snapshot could not be written. */
    public void failed() {
        if (failed != null) {
            failed.increment();
        }
    }

    /** A partition was held still this long for a capture. */
    public void paused(Duration held) {
        if (pause != null) {
            pause.record(held);
        }
    }

    /** The instance started from a snapshot of the partition written at that time. */
    public void startedFrom(int partition, long writtenAtMillis) {
        newest.merge(partition, writtenAtMillis, Math::max);
        gauge(partition);
    }

    /** Seconds since the newest snapshot of the partition this instance knows of, or −1. */
    public double ageSeconds(int partition) {
        Long at = newest.get(partition);
        return at == null ? -1 : (clock.millis() - at) / 1000.0;
    }

    private synchronized void gauge(int partition) {
        if (registry == null || registry.find("inventory.snapshot.age").tag("partition", "" + partition).gauge() != null) {
            return;
        }
        gauges.add(Gauge.builder("inventory.snapshot.age", this, m -> m.ageSeconds(partition))
                .tag("partition", Integer.toString(partition)).baseUnit("seconds")
                .description("Seconds since the newest snapshot of the partition this instance wrote or started from")
                .register(registry));
    }

    @Override
    public synchronized void close() {
        if (registry != null) {
            gauges.forEach(registry::remove);
            gauges.clear();
        }
    }
}
