package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.kafka.FeedState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the feed reports: records by outcome ({@code inventory.feed.records{outcome}}), checkpoints by outcome
 * ({@code inventory.feed.checkpoints{outcome}}), lag ({@code inventory.feed.lag}), records per second
 * ({@code inventory.feed.records.per.second}), its state ({@code inventory.feed.state}: 1 for the current
 * state, 0 for the others, tag {@code state}), seconds since the last record was applied
 * ({@code inventory.feed.last.applied.age}, −1 before the first), and its consumer's own metrics. Counters are registered when the feed is built, gauges when it
 * starts and removed when it stops (a feed built after this one registers its own). Without a registry only
 * lag and rate are kept, for the feed's own getters.
 *
 * <p>Threads: the feed's thread counts and measures; any thread reads {@link #lag()} and
 * {@link #recordsPerSecond()} (volatile). {@link #registerGauges()} runs before the feed's thread starts,
 * {@link #stop()} on it as it ends.
 */
public final class FeedMetrics {
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private static final int DEAD_LETTERED = 3; // after applied, duplicate and conflict (a late record is dead-lettered)
    private static final int WRITTEN = 0, FAILED = 1;

    private final MeterRegistry registry; // null without one
    private final Counter[] records; // applied, duplicate, conflict (by ApplyOutcome ordinal), dead_lettered; null without a registry
    private final Counter[] checkpoints; // written, failed; null without a registry
    private final List<Gauge> gauges = new ArrayList<>(); // before the thread starts, and by it as it ends

    /** Records behind the end of every partition, summed; −1 until known. Written by the feed's thread. */
    private volatile long lag = -1;
    /** Written by the feed's thread once per window. */
    private volatile double recordsPerSecond;
    /** Written by the feed's runner at each transition; read by any thread. */
    private volatile FeedState state = FeedState.STARTING;
    /** Written by the feed's thread after a poll that applied records; read by any thread. */
    private volatile Instant lastAppliedAt;
    private AutoCloseable clientMetrics = () -> { }; // the feed's thread's
    private long windowStartNanos, windowRecords; // the feed's thread's

    /** @param registry where the meters go, or null for none */
    public FeedMetrics(MeterRegistry registry) {
        this.registry = registry;
        records = counters(registry, "inventory.feed.records", "Kafka records read by the feed, by outcome",
                "applied", "duplicate", "conflict", "dead_lettered");
        checkpoints = counters(registry, "inventory.feed.checkpoints", "Checkpoints the feed wrote, by outcome",
                "written", "failed");
    }

    private static Counter[] counters(MeterRegistry registry, String name, String description, String... outcomes) {
        if (registry == null) {
            return null;
        }
        Counter[] counters = new Counter[outcomes.length];
        for (int i = 0; i < outcomes.length; i++) {
            counters[i] = Counter.builder(name).tag("outcome", outcomes[i]).description(description).register(registry);
        }
        return counters;
    }

    /** Registers the gauges, once. */
    public void registerGauges() {
        if (registry != null && gauges.isEmpty()) {
            for (FeedState s : FeedState.values()) {
                gauges.add(Gauge.builder("inventory.feed.state", this, m -> m.state == s ? 1 : 0)
                        .tag("state", s.name().toLowerCase(java.util.Locale.ROOT))
                        .description("1 for the feed's state now, 0 for the others").register(registry));
            }
            gauges.add(Gauge.builder("inventory.feed.last.applied.age", this, FeedMetrics::lastAppliedAge)
                    .description("Seconds since the feed last applied a record (-1 before the first)")
                    .baseUnit("seconds").register(registry));
            gauges.add(Gauge.builder("inventory.feed.lag", this, m -> m.lag)
                    .description("Records not yet read, summed over the feed's partitions (-1 until known)")
                    .baseUnit("records").register(registry));
            gauges.add(Gauge.builder("inventory.feed.records.per.second", this, m -> m.recordsPerSecond)
                    .description("Records the feed took per second, over the last second or so")
                    .register(registry));
        }
    }

    /** Opens the first rate window. */
    public void started(long nowNanos) {
        windowStartNanos = nowNanos;
    }

    /** One record applied to the ledger, with this outcome. */
    public void applied(ApplyOutcome outcome) {
        count(records, outcome.ordinal());
        windowRecords++;
    }

    /** One record written to the dead-letter topic. */
    public void deadLettered() {
        count(records, DEAD_LETTERED);
        windowRecords++;
    }

    /** A checkpoint was written ({@code true}) or failed. */
    public void checkpoint(boolean written) {
        count(checkpoints, written ? WRITTEN : FAILED);
    }

    /** Lag from the consumer's latest fetch responses, and the rate once a window of a second has passed. */
    public void measure(Consumer<?, ?> consumer, long nowNanos) {
        long behind = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong l = consumer.currentLag(tp);
            if (l.isEmpty()) {
                behind = -1;
                break;
            }
            behind += l.getAsLong();
        }
        if (behind >= 0) {
            lag = behind;
        }
        long elapsed = nowNanos - windowStartNanos;
        if (elapsed >= WINDOW_NANOS) {
            recordsPerSecond = windowRecords * 1e9 / elapsed;
            windowRecords = 0;
            windowStartNanos = nowNanos;
        }
    }

    /** The feed's consumer's own metrics, bound to the registry: unbound when the feed stops. */
    public void bindClient(AutoCloseable metrics) {
        clientMetrics = metrics;
    }

    /** The feed stopped: lag unknown, no rate, gauges and the consumer's metrics removed. */
    public void stop() {
        lag = -1;
        recordsPerSecond = 0;
        try {
            clientMetrics.close();
        } catch (Exception e) {
            // removing meters does not fail; nothing to undo if it did
        }
        if (registry != null) {
            gauges.forEach(registry::remove);
        }
    }

    /** The feed's state now. */
    public FeedState state() {
        return state;
    }

    /** Moves the state (the runner, at each transition). */
    public void state(FeedState next) {
        state = next;
    }

    /** Records were applied at {@code now} (wall clock). */
    public void appliedAt(Instant now) {
        lastAppliedAt = now;
    }

    /** When the last record was applied, or null. */
    public Instant lastAppliedAt() {
        return lastAppliedAt;
    }

    private double lastAppliedAge() {
        Instant at = lastAppliedAt;
        return at == null ? -1 : (System.currentTimeMillis() - at.toEpochMilli()) / 1000.0;
    }

    /** See {@code KafkaInventoryFeed#lag()}. */
    public long lag() {
        return lag;
    }

    /** See {@code KafkaInventoryFeed#recordsPerSecond()}. */
    public double recordsPerSecond() {
        return recordsPerSecond;
    }

    private static void count(Counter[] counters, int i) {
        if (counters != null) {
            counters[i].increment();
        }
    }
}
