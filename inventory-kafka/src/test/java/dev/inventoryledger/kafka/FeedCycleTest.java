package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.feed.FeedCycle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static dev.inventoryledger.kafka.TestTopics.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feed's work cycle driven step by step on the test's thread, with no feed thread, against a real
 * in-process broker: records are taken only by {@code doWork}, and the periodic duties (checkpoint, partition
 * check) fall due on the injected nanosecond source, never on the wall clock. Time stands still unless the
 * test moves it; nothing here sleeps or asserts a timing (real time only bounds the waits for the broker).
 */
class FeedCycleTest {
    /** Bound on real waiting for the broker (records to arrive, metadata to refresh). */
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Where the manual nanosecond sources start: any value will do, as with System.nanoTime. */
    private static final long T0 = 1_000_000_000_000L;

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(); // one per class, started before its tests

    @Test
    void recordsAreTakenOnlyByDoWorkAndOffsetsLedgerAndCountAgreeAfterEachStep() throws Exception {
        TestTopics t = new TestTopics(broker);
        for (int i = 1; i <= 3; i++) {
            broker.send(t.receipts, "SKU-1", json("receipt_id", "RCPT-" + i, "SKU-1", "WH-1", i, ""));
        }
        broker.send(t.orders, "SKU-1", "not json"); // refused: dead-lettered, and counted as taken
        InventoryLedger ledger = InventoryLedger.builder().build();
        AtomicLong nanos = new AtomicLong(T0);
        FeedCycle cycle = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).cycle(nanos::get);
        cycle.prepare();
        cycle.onStart();
        try {
            assertThat(cycle.appliedOffsets()).hasSize(10).allSatisfy((tp, next) -> assertThat(next).isZero());
            assertThat(ledger.positions()).as("nothing is taken before the first doWork").isEmpty();
            long[] taken = {0};
            assertThat(drive(() -> {
                taken[0] += cycle.doWork();
                // Each step takes whole polls: what it returns and the offsets it reports agree after it.
                assertThat(sum(cycle.appliedOffsets())).isEqualTo(taken[0]);
                return taken[0] == 4;
            })).as("all four records taken, offsets %s", cycle.appliedOffsets()).isTrue();
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(6);
            assertThat(sum(offsetsOf(cycle, t.orders))).as("the refused record is behind the offsets too").isEqualTo(1);
            assertThat(cycle.isRunning()).isTrue();
        } finally {
            cycle.onClose();
        }
        assertThat(cycle.isRunning()).isFalse();
        assertThat(broker.readAll(t.deadLetters, 1)).hasSize(1);
    }

    @Test
    void aCheckpointIsWrittenOnceTheInjectedTimePassesItsIntervalAndNotBefore(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker);
        Path file = dir.resolve("feed.ckpt");
        InventoryLedger ledger = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong nanos = new AtomicLong(T0);
        long interval = Duration.ofSeconds(60).toNanos();
        FeedCycle cycle = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).meterRegistry(registry)
                .checkpoint(file).checkpointInterval(Duration.ofNanos(interval)).cycle(nanos::get);
        broker.send(t.receipts, "SKU-1", json("receipt_id", "RCPT-1", "SKU-1", "WH-1", 5, ""));
        broker.send(t.receipts, "SKU-1", json("receipt_id", "RCPT-2", "SKU-1", "WH-1", 7, ""));
        cycle.prepare();
        cycle.onStart();
        try {
            // However many steps it takes in real time, the injected time stands at T0: no checkpoint is due.
            assertThat(stepUntil(cycle, () -> ledger.available("SKU-1", "WH-1") == 12)).isTrue();
            nanos.set(T0 + interval - 1);
            cycle.doWork();
            assertThat(file).as("one nanosecond before the interval").doesNotExist();
            assertThat(written(registry)).isZero();

            nanos.set(T0 + interval);
            cycle.doWork();
            assertThat(file).as("once the interval has passed").exists();
            assertThat(written(registry)).isEqualTo(1);
            assertThat(restored(file, 12)).isEqualTo(stored(cycle.appliedOffsets()));

            // The next one is due an interval after the last was written.
            broker.send(t.receipts, "SKU-1", json("receipt_id", "RCPT-3", "SKU-1", "WH-1", 1, ""));
            nanos.set(T0 + 2 * interval - 1);
            assertThat(stepUntil(cycle, () -> ledger.available("SKU-1", "WH-1") == 13)).isTrue();
            assertThat(written(registry)).isEqualTo(1);
            assertThat(restored(file, 12)).as("the file still holds the first checkpoint").isNotNull();
            nanos.set(T0 + 2 * interval);
            cycle.doWork();
            assertThat(written(registry)).isEqualTo(2);
            assertThat(restored(file, 13)).isEqualTo(stored(cycle.appliedOffsets()));
        } finally {
            cycle.onClose();
        }
        assertThat(written(registry)).as("closing writes the last checkpoint").isEqualTo(3);
    }

    @Test
    void aChangedPartitionCountStopsTheCycleWhenThePartitionCheckFallsDueOnTheInjectedClock() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        long interval = Duration.ofSeconds(10).toNanos();
        // Two cycles on the same topics: "held" keeps its time before the check falls due; "due" moves its time
        // an interval on before every step, so it checks every time. When "due" has seen the new partition,
        // the consumers' metadata knows it: if "held" still goes on, only its clock can be holding it back.
        InventoryLedger heldLedger = InventoryLedger.builder().build(), dueLedger = InventoryLedger.builder().build();
        AtomicLong heldNanos = new AtomicLong(T0), dueNanos = new AtomicLong(T0);
        FeedCycle held = checking(t, heldLedger, interval).cycle(heldNanos::get);
        FeedCycle due = checking(t, dueLedger, interval).cycle(dueNanos::get);
        held.prepare();
        held.onStart();
        due.prepare();
        due.onStart();
        try {
            assertThat(held.appliedOffsets()).hasSize(5);
            broker.addPartitions(t.receipts, 2);
            int[] steps = {0};
            IllegalStateException[] stopped = {null};
            assertThat(drive(() -> {
                held.doWork();
                dueNanos.addAndGet(interval);
                try {
                    due.doWork();
                } catch (IllegalStateException e) {
                    stopped[0] = e;
                }
                steps[0]++;
                return stopped[0] != null;
            })).as("the cycle whose check is always due stops").isTrue();
            assertThat(stopped[0]).hasMessageContaining("topic " + t.receipts + " has 2 partitions")
                    .hasMessageContaining("has 1: a change of the partition count moves products");
            // As many steps again (and at least ten) for "held", whose metadata refreshes on the same schedule.
            for (int i = 0; i < Math.max(10, steps[0]); i++) {
                held.doWork();
            }
            heldNanos.set(T0 + interval - 1);
            held.doWork(); // one nanosecond before the interval: goes on
            heldNanos.set(T0 + interval);
            assertThatThrownBy(held::doWork).as("once the interval has passed")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("has 2 partitions");
        } finally {
            held.onClose();
            due.onClose();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** A feed on the topics, from their beginning, whose consumer refreshes its metadata every 100 ms. */
    private static KafkaInventoryFeed.Builder checking(TestTopics t, InventoryLedger ledger, long intervalNanos) {
        return t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).clientProperty("metadata.max.age.ms", 100)
                .partitionCheckInterval(Duration.ofNanos(intervalNanos));
    }

    /** Steps until the condition holds; false if it did not within {@link #BOUND} of real time. */
    private static boolean drive(ThrowingCondition step) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!step.holds()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
        return true;
    }

    /** Steps the cycle until the condition holds after a step; false if it did not within {@link #BOUND}. */
    private static boolean stepUntil(FeedCycle cycle, BooleanSupplier done) throws Exception {
        return drive(() -> {
            cycle.doWork();
            return done.getAsBoolean();
        });
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    private static Map<TopicPartition, Long> offsetsOf(FeedCycle cycle, String topic) {
        Map<TopicPartition, Long> out = new HashMap<>(cycle.appliedOffsets());
        out.keySet().removeIf(tp -> !tp.topic().equals(topic));
        return out;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static double written(SimpleMeterRegistry registry) {
        return registry.get("inventory.feed.checkpoints").tag("outcome", "written").counter().count();
    }

    /** The checkpoint's offsets, once a fresh ledger restored from it shows {@code available} for SKU-1. */
    private static Map<String, Long> restored(Path file, long available) throws Exception {
        InventoryLedger fresh = InventoryLedger.builder().build();
        Map<String, Long> offsets = fresh.restore(file);
        assertThat(fresh.available("SKU-1", "WH-1")).isEqualTo(available);
        return offsets;
    }

    private static Map<String, Long> stored(Map<TopicPartition, Long> applied) {
        Map<String, Long> out = new HashMap<>();
        applied.forEach((tp, next) -> out.put(tp.topic() + ":" + tp.partition(), next));
        return out;
    }
}
