package dev.inventoryledger.kafka;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durability and replay (the README, "Checkpoints: a restart loses nothing"): a feed killed for real — SIGKILL of the JVM it runs in, at
 * random instants, mid-batch and mid-checkpoint-write included — and restarted from its checkpoint each
 * time, ends with exactly the ledger a direct fold of everything published gives: nothing lost, nothing
 * counted twice.
 *
 * <p>The broker runs in this JVM; the feed runs in a child JVM ({@link CrashChild}) on the same classpath. A
 * background thread publishes a stream of receipts, orders, cancellations, returns, holds, releases and
 * orders consuming holds, with redeliveries and conflicting redeliveries, keyed by product over
 * {@value #PARTITIONS} partitions per topic, at a steady rate; meanwhile the test kills the child
 * {@value #KILLS} times, each time restarting it from the checkpoint, then lets a last run read to the end
 * and stop cleanly. Each product sees several times more events than the ledger remembers identities
 * (1,024 by default), so a restart that resumed anywhere but at the stored offsets would count events
 * twice, and one that lost the remembered identities would count redeliveries that straddle it.
 *
 * <p>The seed is printed; {@code -Dcrash.seed=N} replays a run's stream and kill schedule (the kill
 * instants still depend on the machine). On failure the children's output is printed.
 */
class CrashRecoveryTest {
    private static final int EVENTS = 240_000;
    private static final int RATE_PER_SECOND = 20_000;
    private static final int KILLS = 12;
    private static final int PARTITIONS = 3;
    private static final int PRODUCTS = 40, WAREHOUSES = 3;
    /** Redeliveries copy one of this many latest events: far inside the default 1,024 identities per product. */
    private static final int REDELIVERY_WINDOW = 64;
    private static final long CHECKPOINT_MILLIS = 75;
    private static final Duration BOUND = Duration.ofSeconds(45);

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker(); // one per class, started before its tests

    @Test
    @Timeout(180) // a safety net: every wait below is bounded far tighter
    void aFeedKilledAtRandomInstantsAndRestartedFromItsCheckpointEndsEqualToADirectFold(@TempDir Path dir)
            throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashRecoveryTest seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        long begun = System.nanoTime();
        TestTopics t = new TestTopics(broker, PARTITIONS);
        List<InventoryEvent> events = stream(new Random(random.nextLong()), EVENTS);

        // The oracle: every published event applied in publish order, in one process that never stops.
        InventoryLedger direct = InventoryLedger.builder().build();
        Map<ApplyOutcome, Integer> outcomes = new EnumMap<>(ApplyOutcome.class);
        for (InventoryEvent e : events) {
            outcomes.merge(direct.apply(e), 1, Integer::sum);
        }
        assertThat(outcomes.get(ApplyOutcome.DUPLICATE)).as("redeliveries in the stream").isGreaterThan(5_000);
        assertThat(outcomes.get(ApplyOutcome.CONFLICT)).as("conflicting redeliveries in the stream").isGreaterThan(100);
        assertThat(direct.activeHolds()).as("holds still active at the end").isPositive();

        Path checkpoint = dir.resolve("ledger.ckpt");
        Crashes crashes = new Crashes(t, checkpoint, events, random);
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                crashes.launchAndKill(kill);
            }
            crashes.runToTheEnd();

            // Every kill interrupted progress: the checkpoints moved forward between kills and none had the end;
            // and some kills landed mid-write (they left the checkpoint's temporary file behind).
            assertThat(crashes.offsetsAtKills).as("checkpointed offsets at each kill").isSorted()
                    .allSatisfy(o -> assertThat(o).isLessThan(EVENTS));
            assertThat(crashes.offsetsAtKills.stream().distinct().count()).as("distinct checkpoints at the kills")
                    .isGreaterThanOrEqualTo(KILLS / 3);
            assertThat(crashes.midWrite).as("kills that landed mid-write").isPositive();
            // What they left is removed by a later run (all but what the last second before the last run left).
            assertThat(filesBeside(checkpoint)).as("temporary files an earlier run left").allSatisfy(f ->
                    assertThat(Files.getLastModifiedTime(f).toMillis()).isGreaterThan(crashes.lastLaunchMillis - 1_500));

            // The last checkpoint holds every record of every partition, and the ledger the fold gives.
            Map<String, Long> stored = storedOffsets(checkpoint);
            assertThat(stored).isEqualTo(endOffsets(t));
            assertThat(sum(stored)).isEqualTo(EVENTS);
            assertThat(broker.recordCount(t.deadLetters)).as("dead-lettered records").isZero();
            InventoryLedger restored = InventoryLedger.builder().build();
            restored.restore(checkpoint);
            assertThat(differences(restored.positions(), direct.positions())).as("positions that differ").isEmpty();
            assertThat(restored.positions()).hasSize(direct.positions().size());
            assertThat(restored.activeHolds()).isEqualTo(direct.activeHolds());
            assertThat(restored.audit().isClean()).as("restored audit %s", restored.audit()).isTrue();
            assertThat(direct.audit().isClean()).isTrue();

            System.out.printf("CrashRecoveryTest: %d events (%s), %d positions; %d kills, %d of them mid-write: %s;"
                            + " files left beside the checkpoint: %s; %.1f s%n", EVENTS, outcomes,
                    direct.positions().size(), KILLS, crashes.midWrite, crashes.schedule, filesBeside(checkpoint),
                    (System.nanoTime() - begun) / 1e9);

            aCorruptCheckpointIsRefusedByANewFeed(t, checkpoint, random);
        } catch (Throwable failed) {
            System.err.println("CrashRecoveryTest failed (seed " + seed + "); kills: " + crashes.schedule
                    + "; child output:");
            crashes.log.forEach(System.err::println);
            throw failed;
        } finally {
            crashes.close();
        }
    }

    /** A flipped byte anywhere, or a cut, and a new feed's start() refuses the file and loads nothing. */
    private static void aCorruptCheckpointIsRefusedByANewFeed(TestTopics t, Path checkpoint, Random random)
            throws Exception {
        byte[] whole = Files.readAllBytes(checkpoint);
        int[] at = {random.nextInt(16), 16 + random.nextInt(whole.length - 20), whole.length - 1 - random.nextInt(4)};
        for (int i : at) {
            byte[] flipped = whole.clone();
            flipped[i] ^= (byte) (1 << random.nextInt(8));
            Files.write(checkpoint, flipped);
            assertRefused(t, checkpoint, "byte " + i + " of " + whole.length + " flipped");
        }
        Files.write(checkpoint, Arrays.copyOf(whole, whole.length / 2));
        assertRefused(t, checkpoint, "cut to half");
        Files.write(checkpoint, whole);
        assertThat(sum(storedOffsets(checkpoint))).as("the file as written still restores").isEqualTo(EVENTS);
    }

    private static void assertRefused(TestTopics t, Path checkpoint, String damage) {
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).checkpoint(checkpoint).build()) {
            assertThatThrownBy(feed::start).as(damage).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not restore checkpoint").hasMessageContaining(checkpoint.toString());
            assertThat(feed.isRunning()).as(damage).isFalse();
        }
        assertThat(ledger.positions()).as(damage).isEmpty();
        assertThat(ledger.activeHolds()).as(damage).isZero();
    }

    // ------------------------------------------------------------------------------------------ the stream

    /**
     * {@code n} events over {@value #PRODUCTS} products × {@value #WAREHOUSES} warehouses: receipts, orders,
     * cancellations of earlier orders, returns, holds ended by a release or by an order naming them (some
     * stay active), about 6% exact redeliveries of a recent event and 0.5% redeliveries of a recent receipt
     * or order with another quantity. No expiry: the result must not depend on the clock.
     */
    static List<InventoryEvent> stream(Random r, int n) {
        Instant t0 = Instant.parse("2026-11-27T08:00:00Z");
        List<InventoryEvent> out = new ArrayList<>(n);
        Map<String, List<InventoryEvent>> openHolds = new HashMap<>(), orders = new HashMap<>();
        for (int i = 0; out.size() < n; i++) {
            int roll = r.nextInt(1000);
            if (out.size() > REDELIVERY_WINDOW && roll < 65) {
                InventoryEvent copy = out.get(out.size() - 1 - r.nextInt(REDELIVERY_WINDOW));
                if (roll < 60) {
                    out.add(copy);
                    continue;
                }
                if (copy.kind() == EventKind.STOCK_RECEIVED
                        || copy.kind() == EventKind.ORDER_PLACED && copy.reservationId() == null) {
                    out.add(new InventoryEvent(copy.kind(), copy.id(), copy.productId(), copy.warehouseId(),
                            copy.quantity() + 1, copy.eventTime(), null, null, null));
                    continue;
                }
            }
            String p = "SKU-" + r.nextInt(PRODUCTS), w = "WH-" + r.nextInt(WAREHOUSES), position = p + "/" + w;
            Instant at = t0.plusMillis(i * 10L + r.nextInt(60_000)); // late and early arrivals
            List<InventoryEvent> holds = openHolds.computeIfAbsent(position, k -> new ArrayList<>());
            List<InventoryEvent> placed = orders.computeIfAbsent(position, k -> new ArrayList<>());
            int kind = r.nextInt(100);
            if (kind < 30) {
                out.add(InventoryEvent.stockReceived("RCPT-" + i, p, w, 20 + r.nextInt(80), at));
            } else if (kind < 50 || kind < 55 && placed.isEmpty()) {
                out.add(kept(placed, InventoryEvent.orderPlaced("ORD-" + i, p, w, 1 + r.nextInt(5), at)));
            } else if (kind < 55) {
                InventoryEvent order = takeAny(placed, r);
                out.add(InventoryEvent.orderCancelled(order.id(), p, w, order.quantity(), at));
            } else if (kind < 60) {
                out.add(InventoryEvent.returnReceived("RET-" + i, p, w, 1 + r.nextInt(3), at));
            } else if (kind < 78 || holds.isEmpty()) {
                out.add(kept(holds, InventoryEvent.reservationHeld("RES-" + i, p, w, 1 + r.nextInt(5), at)));
            } else if (kind < 89) {
                InventoryEvent held = takeAny(holds, r);
                out.add(InventoryEvent.reservationReleased(held.id(), p, w, held.quantity(), at));
            } else {
                InventoryEvent held = takeAny(holds, r);
                out.add(InventoryEvent.orderPlaced("ORD-" + i, p, w, held.quantity(), at).withReservationId(held.id()));
            }
        }
        return out;
    }

    /** The event, after adding it to {@code open} (the orders or holds a later event may end). */
    private static InventoryEvent kept(List<InventoryEvent> open, InventoryEvent e) {
        open.add(e);
        return e;
    }

    /** One of the {@code open} events, drawn at random and removed: the one a new event ends. */
    private static InventoryEvent takeAny(List<InventoryEvent> open, Random r) {
        return open.remove(r.nextInt(open.size()));
    }

    /** Publishes the events in order at a steady rate, never past what {@link #allow(long)} released. */
    private static final class Publishing extends Thread {
        private final TestTopics topics;
        private final List<InventoryEvent> events;
        private volatile long allowed; // written by the test thread, read by this one
        volatile Throwable failure, publisherFailure;

        Publishing(TestTopics topics, List<InventoryEvent> events) {
            super("crash-test-publisher");
            setDaemon(true);
            this.topics = topics;
            this.events = events;
        }

        void allow(long upTo) {
            allowed = upTo;
        }

        @Override
        public void run() {
            try (InventoryEventPublisher publisher = topics.publisher().build()) {
                publisher.start(); // metadata loaded first: a first send waiting for it must not fill the queue
                long start = System.nanoTime();
                for (int i = 0; i < events.size(); i++) {
                    while (i >= allowed) {
                        LockSupport.parkNanos(1_000_000);
                        start = System.nanoTime() - (long) (i * 1e9 / RATE_PER_SECOND); // no catch-up burst
                        if (isInterrupted()) {
                            return;
                        }
                    }
                    long due = start + (long) (i * 1e9 / RATE_PER_SECOND);
                    while (System.nanoTime() - due < 0) {
                        LockSupport.parkNanos(200_000);
                    }
                    publisher.publish(events.get(i));
                }
                publisher.flush();
                publisherFailure = publisher.failure();
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the child

    /**
     * The child runs, the publishing and what the kills found. The kill instant is random by design (the
     * sleeps are the schedule, not waits for a condition): a third of the kills a random while after the feed
     * started; a third at a random instant after launch (the JVM's start, the restore, the first records); a
     * third on the first sign of a checkpoint write (a file created or written beside the checkpoint) a
     * random while after the feed started.
     */
    private static final class Crashes implements AutoCloseable {
        final TestTopics topics;
        final Path checkpoint;
        final Random random;
        final Publishing publishing;
        final WatchService writes;
        final ConcurrentLinkedDeque<String> log = new ConcurrentLinkedDeque<>(); // every line the runs printed
        final List<Long> offsetsAtKills = new ArrayList<>();
        final List<String> schedule = new ArrayList<>();
        int midWrite; // kills that left a temporary file behind
        long lastLaunchMillis; // when the last run began
        Child child;

        Crashes(TestTopics topics, Path checkpoint, List<InventoryEvent> events, Random random) throws IOException {
            this.topics = topics;
            this.checkpoint = checkpoint;
            this.random = random;
            writes = checkpoint.getFileSystem().newWatchService();
            checkpoint.getParent().register(writes, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            publishing = new Publishing(topics, events);
            publishing.start();
        }

        void launchAndKill(int kill) throws Exception {
            // Each run has fresh records to read whatever the machine's speed: the stream is released in
            // slices, one per run, and within a slice published at a steady rate.
            publishing.allow((long) EVENTS * (kill + 1) / (KILLS + 1));
            Set<Path> before = filesBeside(checkpoint);
            child = launch(kill, -1);
            String how;
            if (kill % 3 == 2) {
                long delay = 50 + random.nextInt(1_450);
                Thread.sleep(Math.max(0, delay - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - child.launched)));
                how = delay + " ms after launch";
            } else {
                assertThat(child.awaitReady()).as("run %d started", kill).isTrue();
                if (kill % 3 == 1) {
                    long delay = 100 + random.nextInt(500);
                    Thread.sleep(delay);
                    drain(writes);
                    WatchKey written = writes.poll(5, TimeUnit.SECONDS);
                    if (written != null) {
                        kill(kill); // at once
                        written.pollEvents();
                        written.reset();
                    }
                    how = (written == null ? "no write seen " : "at a write ") + delay + " ms after READY";
                } else {
                    long delay = 200 + random.nextInt(1_000);
                    Thread.sleep(delay);
                    how = delay + " ms after READY";
                }
            }
            kill(kill);
            Set<Path> left = filesBeside(checkpoint);
            left.removeAll(before);
            if (!left.isEmpty()) {
                midWrite++;
                how += " mid-write (left " + left.iterator().next().getFileName() + ")";
            }
            long offsets;
            try {
                offsets = Files.exists(checkpoint) ? sum(storedOffsets(checkpoint)) : 0;
            } catch (IOException unusable) {
                throw new AssertionError("after kill " + kill + " (" + how + ") the checkpoint is unusable", unusable);
            }
            offsetsAtKills.add(offsets);
            schedule.add("#" + kill + " " + how + ": checkpoint at " + offsets);
        }

        /** SIGKILL (on Linux) to a child that must still be running: no shutdown hook, no last checkpoint. */
        private void kill(int run) throws InterruptedException {
            if (!child.process.isAlive()) {
                assertThat(child.process.exitValue()).as("run %d ended before it was killed", run).isEqualTo(137);
                return; // killed a moment ago (a kill at a write)
            }
            child.process.destroyForcibly();
            assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).as("run %d died", run).isTrue();
            assertThat(child.process.exitValue()).as("run %d ended by SIGKILL (128 + 9)", run).isEqualTo(137);
            child.drainer.join(5_000);
        }

        /** The last run: reads to the end of the stream, closes the feed (a last checkpoint) and exits. */
        void runToTheEnd() throws Exception {
            publishing.allow(EVENTS);
            lastLaunchMillis = System.currentTimeMillis();
            child = launch(KILLS, EVENTS);
            assertThat(child.process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the last run ended").isTrue();
            child.drainer.join(5_000);
            assertThat(child.process.exitValue()).as("the last run's exit code").isZero();
            publishing.join(BOUND.toMillis());
            assertThat(publishing.isAlive()).as("publishing still running").isFalse();
            assertThat(publishing.failure).as("publishing failed").isNull();
            assertThat(publishing.publisherFailure).as("a record was not written").isNull();
        }

        private Child launch(int run, long expected) throws IOException {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // Surefire may start this JVM from a manifest-only jar: its own property has the test classpath.
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            // C1 only: the runs are too short for C2 to pay for itself on two cores.
            List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath, CrashChild.class.getName(), broker.bootstrapServers(), checkpoint.toString(),
                    Long.toString(CHECKPOINT_MILLIS), Long.toString(expected), topics.orders, topics.cancellations,
                    topics.returns, topics.receipts, topics.reservations, topics.deadLetters);
            return new Child(new ProcessBuilder(command).redirectErrorStream(true).start(), run, log);
        }

        @Override
        public void close() throws IOException {
            if (child != null) {
                child.process.destroyForcibly();
            }
            publishing.interrupt();
            writes.close();
        }
    }

    /** One run of {@link CrashChild}, its output drained all the time so that it never blocks on a full pipe. */
    private static final class Child {
        final Process process;
        final long launched = System.nanoTime();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread drainer;

        Child(Process process, int run, ConcurrentLinkedDeque<String> log) {
            this.process = process;
            this.drainer = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        log.add("[run " + run + "] " + line);
                        if (line.startsWith("READY")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException ended) {
                    // the process was killed while its last line was read
                }
            }, "crash-child-" + run + "-output");
            drainer.setDaemon(true);
            drainer.start();
        }

        /** Waits until the feed has started; false if the process ended first or the bound passed. */
        boolean awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!ready.await(10, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    return ready.getCount() == 0;
                }
            }
            return true;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Map<String, Long> storedOffsets(Path checkpoint) throws IOException {
        return InventoryLedger.builder().build().restore(checkpoint);
    }

    /** The files in the checkpoint's directory other than the checkpoint. */
    private static Set<Path> filesBeside(Path checkpoint) throws IOException {
        try (Stream<Path> files = Files.list(checkpoint.getParent())) {
            return files.filter(f -> !f.equals(checkpoint)).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Forgets the directory events seen so far. */
    private static void drain(WatchService watch) {
        for (WatchKey k; (k = watch.poll()) != null; ) {
            k.pollEvents();
            k.reset();
        }
    }

    private static long sum(Map<String, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every partition's end offset, keyed {@code topic:partition} as the feed stores them. */
    private static Map<String, Long> endOffsets(TestTopics t) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(t.orders, t.cancellations, t.returns, t.receipts, t.reservations)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    partitions.add(new TopicPartition(topic, p));
                }
            }
            Map<String, Long> out = new TreeMap<>();
            c.endOffsets(partitions, Duration.ofSeconds(30)).forEach((tp, o) -> out.put(tp.topic() + ":" + tp.partition(), o));
            return out;
        }
    }

    private static List<String> differences(List<Position> actual, List<Position> expected) {
        Map<String, Position> byKey = new TreeMap<>();
        expected.forEach(p -> byKey.put(p.productId() + "/" + p.warehouseId(), p));
        List<String> out = new ArrayList<>();
        for (Position p : actual) {
            Position e = byKey.remove(p.productId() + "/" + p.warehouseId());
            if (!p.equals(e)) {
                out.add("restored " + p + " but the fold gives " + e);
            }
        }
        byKey.values().forEach(e -> out.add("missing " + e));
        return out;
    }
}
