package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot writer killed with SIGKILL in the middle of a write: its chunks of the snapshot under way are in
 * the topic without a manifest, the previous whole snapshot stays the newest one named, and a new instance with
 * an empty disk, after the topics were truncated up to that snapshot and more events came, still equals a
 * direct fold of the whole history.
 */
class SnapshotKillTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    @Test
    void aWriterKilledMidSnapshotLeavesThePreviousWholeOneAndANewInstanceLosesNothing() throws Exception {
        TestTopics t = new TestTopics(broker, 3);
        List<InventoryEvent> history = SnapshotTest.history(new Random(11), 30_000, 5_000); // ~1 MB of state
        ConcurrentLinkedDeque<String> log = new ConcurrentLinkedDeque<>();
        try (KafkaProducer<byte[], byte[]> shop = SnapshotTest.producer(broker)) {
            SnapshotTest.publish(shop, t, history.subList(0, 24_000));
            Map<TopicPartition, Long> snapshotted = broker.endOffsets(t.eventTopics());
            boolean torn = false;
            Random random = new Random(5);
            for (int attempt = 1; attempt <= 10 && !torn; attempt++) {
                Process child = launch(t, log, attempt);
                try {
                    assertThat(await(log, "[" + attempt + "] SNAPSHOT 2", child)).as("two whole rounds:\n%s",
                            String.join("\n", log)).isTrue();
                    Thread.sleep(random.nextInt(100)); // into the third round, most likely mid-write
                } finally {
                    child.destroyForcibly(); // SIGKILL
                    child.waitFor(30, TimeUnit.SECONDS);
                }
                torn = chunksAfterTheLastManifest(t) > 0;
                log.add("attempt " + attempt + ": torn write left in the topic: " + torn);
            }
            assertThat(torn).as("a kill caught a write in the middle in one of 10 attempts:\n%s",
                    String.join("\n", log)).isTrue();
            for (Map.Entry<TopicPartition, Long> e : snapshotted.entrySet()) {
                broker.deleteRecordsBefore(e.getKey(), e.getValue());
            }
            SnapshotTest.publish(shop, t, history.subList(24_000, history.size()));
        }
        InventoryLedger fresh = InventoryLedger.builder().build();
        try (KafkaInventoryFeed newcomer = t.feed(fresh).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            newcomer.start();
            assertThat(newcomer.status().start().values()).allSatisfy(p -> assertThat(p.origin())
                    .isEqualTo(StartPoint.Origin.SNAPSHOT));
            SnapshotTest.awaitRead(newcomer, t);
            assertThat(SnapshotTest.sorted(fresh.positions()))
                    .isEqualTo(SnapshotTest.sorted(SnapshotTest.fold(history).positions()));
        }
    }

    /** Chunk records written after the last manifest of their partition: a write that never finished. */
    private static long chunksAfterTheLastManifest(TestTopics t) {
        List<ConsumerRecord<byte[], byte[]>> records = broker.readToEnd(t.snapshots);
        Map<Integer, Long> lastManifest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (new String(r.key(), StandardCharsets.UTF_8).startsWith("m/")) {
                lastManifest.merge(r.partition(), r.offset(), Math::max);
            }
        }
        return records.stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("c/")
                && r.value() != null && r.offset() > lastManifest.getOrDefault(r.partition(), -1L)).count();
    }

    private static Process launch(TestTopics t, ConcurrentLinkedDeque<String> log, int attempt) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, SnapshotChild.class.getName(), broker.bootstrapServers(), t.orders,
                t.cancellations, t.returns, t.receipts, t.reservations, t.deadLetters, t.snapshots))
                .redirectErrorStream(true).start();
        Thread drain = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.add("[" + attempt + "] " + line);
                }
            } catch (java.io.IOException killed) {
                // the process died while a line was read
            }
        }, "snapshot-child-output");
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    private static boolean await(ConcurrentLinkedDeque<String> log, String line, Process child)
            throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (log.stream().anyMatch(l -> l.startsWith(line))) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
