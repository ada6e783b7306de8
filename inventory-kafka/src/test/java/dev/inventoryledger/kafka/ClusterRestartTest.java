package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.cluster.ClusterHeaders;
import dev.inventoryledger.kafka.internal.snapshot.SnapshotReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "History is finite", for a cluster: three storefront JVMs with no disk hold and sell, write their
 * owned partitions' snapshots, and are all SIGKILLed at once; retention then passes every record before the
 * snapshots. Started again with empty disks, every instance has the counts a plain replica read from the whole
 * log before the truncation (applying the fencing rule), its open holds still open, and those holds still
 * lapse: their new owners write the {@code released} after the restart.
 */
class ClusterRestartTest {
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    private static final int PARTITIONS = 4;
    private static final List<String> INSTANCES = List.of("s1", "s2", "s3");
    private static final Duration BOUND = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    private final String prefix = "cr_";

    @Test
    void everyInstanceKilledAndRestartedWithNoDiskHasTheSameCountsAndItsOpenHoldsStillLapse() throws Exception {
        Map<String, Process> children = new LinkedHashMap<>();
        try {
            List<String> topics = new ArrayList<>(ClusterChild.topics(prefix).values().stream().distinct().toList());
            topics.addAll(List.of(prefix + "requests", prefix + "dead_letters", prefix + "snapshots"));
            broker.createTopics(PARTITIONS, topics.toArray(String[]::new));
            for (String p : ClusterRestartChild.PRODUCTS) {
                broker.send(prefix + "warehouse_receipts", p, EventCodec.encode(InventoryEvent.stockReceived(
                        "R-" + p, p, ClusterRestartChild.WH, 100, Instant.now())));
            }
            for (String s : INSTANCES) {
                children.put(s, launch(s, "seed"));
            }
            for (String s : INSTANCES) {
                assertThat(awaitLine(s + " READY " + s)).as("%s ready", s).isTrue();
            }
            awaitStableOwners();
            Files.createFile(dir.resolve("go"));
            awaitFiles(".held");
            Files.createFile(dir.resolve("snapshot"));
            awaitFiles(".snapshotted");

            Map<String, long[]> expected = replicaOfTheWholeLog();
            Set<String> open = new HashSet<>();
            for (String s : INSTANCES) {
                open.addAll(Files.readAllLines(dir.resolve(s + ".held")));
            }
            assertThat(open).as("holds left open").isNotEmpty();
            assertThat(expected.values().stream().mapToLong(c -> c[1]).sum()).isEqualTo(2L * open.size());

            for (Process p : children.values()) {
                p.destroyForcibly(); // SIGKILL, every instance at once
            }
            for (Process p : children.values()) {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            Map<TopicPartition, Long> snapshotted = snapshotOffsets();
            assertThat(snapshotted.keySet().stream().map(TopicPartition::partition).distinct())
                    .as("every partition has a whole snapshot").hasSize(PARTITIONS);
            for (Map.Entry<TopicPartition, Long> e : snapshotted.entrySet()) {
                broker.deleteRecordsBefore(e.getKey(), e.getValue()); // retention passes the snapshots
            }

            children.clear();
            for (String s : INSTANCES) {
                children.put(s, launch(s, "restart"));
            }
            for (String s : INSTANCES) {
                assertThat(awaitFile(s + ".started")).as("%s started again", s).isTrue();
                assertThat(counts(s + ".started")).as("%s's counts at its restart", s).isEqualTo(show(expected));
            }
            for (String s : INSTANCES) {
                assertThat(awaitFile(s + ".lapsed")).as("%s saw its holds lapse", s).isTrue();
                Map<String, long[]> lapsed = new HashMap<>();
                expected.forEach((p, c) -> lapsed.put(p, new long[]{c[0], 0}));
                assertThat(counts(s + ".lapsed")).as("%s after the holds' expiry", s).isEqualTo(show(lapsed));
            }
            assertThat(InProcessBroker.await(() -> releasedAfter(snapshotted).containsAll(open), BOUND))
                    .as("the lapses written by the new owners: %s of %s", releasedAfter(snapshotted), open).isTrue();
            Files.createFile(dir.resolve("stop"));
            for (Process p : children.values()) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        } catch (Throwable t) {
            System.err.println("ClusterRestartTest failed; the instances said:");
            log.forEach(System.err::println);
            throw t;
        } finally {
            children.values().forEach(Process::destroyForcibly);
        }
    }

    /** Available and held of every product, by a plain replica reading the whole log from its beginning. */
    private Map<String, long[]> replicaOfTheWholeLog() throws Exception {
        InventoryLedger ledger = InventoryLedger.builder().build();
        KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(broker.bootstrapServers())
                .ledger(ledger).deadLetterTopic(prefix + "dead_letters").snapshots(false)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST);
        ClusterChild.topics(prefix).forEach(b::topic);
        try (KafkaInventoryFeed feed = b.build()) {
            feed.start();
        }
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String p : ClusterRestartChild.PRODUCTS) {
            counts.put(p, new long[]{ledger.available(p, ClusterRestartChild.WH), ledger.held(p, ClusterRestartChild.WH)});
        }
        return counts;
    }

    /** Each partition's offsets on every event topic, as its newest whole snapshot has them. */
    private Map<TopicPartition, Long> snapshotOffsets() {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (var c = new KafkaClients(broker.bootstrapServers(), Map.of(), "test", null).snapshotConsumer()) {
            SnapshotReader.Read read = new SnapshotReader(prefix + "snapshots").read(c, Duration.ofSeconds(30));
            read.whole().forEach((p, found) -> found.manifest().offsets().forEach((key, offset) -> {
                int colon = key.lastIndexOf(':');
                out.put(new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1))), offset);
            }));
        }
        return out;
    }

    /** Reservation ids of the {@code released} records written after the snapshots' offsets. */
    private Set<String> releasedAfter(Map<TopicPartition, Long> from) {
        Set<String> released = new HashSet<>();
        EventCodec codec = new EventCodec(1 << 20);
        for (ConsumerRecord<byte[], byte[]> r : broker.readToEnd(prefix + "reservations")) {
            if (r.value() != null && r.offset() >= from.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
                InventoryEvent e;
                try {
                    e = codec.decode(EventKind.RESERVATION_HELD, r.value());
                } catch (EventCodec.Refused refused) {
                    throw new AssertionError(refused);
                }
                if (e.kind() == EventKind.RESERVATION_RELEASED) {
                    released.add(e.reservationId());
                }
            }
        }
        return released;
    }

    /** Waits until every partition's newest claim names one of the three and none came for two seconds. */
    private void awaitStableOwners() throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos(), quietSince = System.nanoTime();
        Map<Integer, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            Map<Integer, String> owners = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : broker.readToEnd(prefix + "reservations")) {
                if (r.headers().lastHeader(ClusterHeaders.CLAIM) != null) {
                    owners.put(r.partition(), ClusterHeaders.text(r, ClusterHeaders.OWNER));
                }
            }
            Set<String> distinct = new HashSet<>();
            owners.values().forEach(o -> distinct.add(o.substring(0, o.indexOf('/'))));
            if (!owners.equals(last)) {
                last = owners;
                quietSince = System.nanoTime();
            } else if (owners.size() == PARTITIONS && distinct.size() == INSTANCES.size()
                    && System.nanoTime() - quietSince > 2_000_000_000L) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the owners' group did not settle: " + last);
    }

    private Map<String, String> counts(String file) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve(file))) {
            String[] f = line.split(" ", 2);
            out.put(f[0], f[1]);
        }
        return out;
    }

    private static Map<String, String> show(Map<String, long[]> counts) {
        Map<String, String> out = new LinkedHashMap<>();
        counts.forEach((p, c) -> out.put(p, c[0] + " " + c[1]));
        return out;
    }

    private void awaitFiles(String suffix) {
        for (String s : INSTANCES) {
            assertThat(awaitFile(s + suffix)).as("%s%s:\n%s", s, suffix, String.join("\n", log)).isTrue();
        }
    }

    private boolean awaitFile(String name) {
        return InProcessBroker.await(() -> Files.exists(dir.resolve(name)), BOUND);
    }

    private boolean awaitLine(String start) {
        return InProcessBroker.await(() -> log.stream().anyMatch(l -> l.startsWith(start)), BOUND);
    }

    private Process launch(String instance, String mode) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, ClusterRestartChild.class.getName(),
                broker.bootstrapServers(), instance, mode, dir.toString(), prefix)).redirectErrorStream(true).start();
        Thread drain = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.add(instance + " " + line);
                }
            } catch (java.io.IOException gone) {
                // killed
            }
        }, "drain-" + instance);
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
