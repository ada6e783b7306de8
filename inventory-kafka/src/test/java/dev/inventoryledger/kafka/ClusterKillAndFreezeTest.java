package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.cluster.ClusterHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Across several instances", tested by killing and freezing real processes: a broker in this JVM,
 * three storefront instances in child JVMs ({@link ClusterChild}), a hot SKU of {@value #HOT_STOCK} units and
 * background products, buyers on every instance reserving, confirming, releasing and walking away. Mid-sale the
 * test SIGKILLs the hot SKU's owner and starts it again, then SIGSTOPs the hot SKU's new owner for longer than
 * the group's session timeout and SIGCONTs it. Everything is then judged from the committed log alone, read
 * back by a plain consumer that applies the fencing rule itself (claims and epochs, in log order):
 * <ul>
 *   <li>units ordered ≤ units received for every product, exactly {@value #HOT_STOCK} of the hot SKU;</li>
 *   <li>at every decision, in decision order (each decision carries its owner's epoch and its sequence on
 *       the partition, and its event time; a hold its {@code expires_at}), the units held and sold never
 *       exceed the stock;</li>
 *   <li>every order a buyer saw confirmed is in the log once; no hold was written twice;</li>
 *   <li>every instance's ledger equals a direct fold of the log (an instance that stopped deciding because its
 *       own decision was fenced is restarted first, as its operator would).</li>
 * </ul>
 * {@link #withTransactionsAFencedOwnersWritesAreInvisibleToEveryReader} runs the same sale with
 * {@link Fencing#TRANSACTIONS}, freezing the owner while its transaction is open where it can, and judges it from
 * what a {@code read_committed} reader gets: the same checks, and the article's views over the topics, with no
 * fencing rule at all, equal to every replica.
 * The same buyers through replica-mode holds (each instance's own {@code tryReserve}, published) run on fresh
 * topics in the same test: instances hold the same units, and the same checks catch it (decisions there have no
 * common order, so they are taken by event time, which can hide a violation but not invent one).
 */
class ClusterKillAndFreezeTest {
    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    static final int PARTITIONS = 4, HOT_STOCK = 100, BACKGROUND_STOCK = 400;
    /**
     * Buyers' pauses: the cluster's sale must outlast a kill, a session timeout and a freeze (some 25 s); the
     * replica-mode sale is the same buyers without the patience, so that it ends in seconds.
     */
    static final int CLUSTER_PAUSE_MILLIS = 120, REPLICA_PAUSE_MILLIS = 4;
    private static final AtomicInteger RUN = new AtomicInteger();

    @TempDir
    Path tmp;

    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

    @Test
    void noUnitIsOversoldWhateverDiesOrFreezes() throws Exception {
        long seed = Long.getLong("cluster.seed", System.nanoTime());
        try {
            Sale cluster = new Sale("cluster", seed);
            cluster.run(this::killAndFreeze);
            judge(cluster);
            outsideReaderAgrees(cluster);

            Sale replicas = new Sale("replica", seed);
            replicas.run(sale -> sale.awaitSoldOut(Duration.ofSeconds(40)));
            Folded naive = replicas.history();
            System.out.printf("ClusterKillAndFreezeTest: replica-mode sale: %s%n", naive.summary());
            assertThat(naive.violations).as("replica mode holds more than the stock, and the checks catch it")
                    .isNotEmpty();
        } catch (Throwable t) {
            System.err.println("ClusterKillAndFreezeTest failed (seed " + seed + "); the instances said:");
            log.forEach(System.err::println);
            throw t;
        }
    }

    /**
     * The same sale, the instances fencing with Kafka's transactions: judged from the committed log (what a
     * {@code read_committed} reader gets), and a reader that knows only the article, with no fencing rule of its
     * own, sees exactly what every replica counts, and nothing it cannot parse.
     */
    @Test
    void withTransactionsAFencedOwnersWritesAreInvisibleToEveryReader() throws Exception {
        long seed = Long.getLong("cluster.seed", System.nanoTime());
        try {
            Sale sale = new Sale("transactions", seed);
            sale.run(this::killAndFreeze);
            judge(sale);
            ArticleReader outside = ArticleReader.read(broker.bootstrapServers(), ClusterChild.topics(sale.prefix));
            Map<String, ArticleReader.Row> article = outside.views(r -> true);
            System.out.printf("ClusterKillAndFreezeTest: outside reader (transactions): %d records, %d it cannot "
                            + "parse; %d records aborted (read_uncommitted only) on reservations, orders and requests%n",
                    outside.records().size(), outside.unparseable(), sale.aborted());
            assertThat(outside.unparseable()).as("records on the article's topics that are not its events").isZero();
            for (Map.Entry<String, Map<String, ArticleReader.Row>> replica : sale.positions().entrySet()) {
                assertThat(replica.getValue()).as("%s against the article's views over the topics", replica.getKey())
                        .isEqualTo(article);
            }
        } catch (Throwable t) {
            System.err.println("ClusterKillAndFreezeTest failed (seed " + seed + "); the instances said:");
            log.forEach(System.err::println);
            throw t;
        }
    }

    /**
     * A cluster's sale, judged from the log: nothing held or sold beyond the stock at any decision, the hot SKU
     * sold out exactly, each order and hold once, every confirm a buyer saw in the log, every replica a fold of it.
     */
    private void judge(Sale sale) throws IOException {
        log.stream().filter(l -> l.contains("stops deciding") || l.startsWith("TEST an open")).forEach(l -> System.out.println(
                "ClusterKillAndFreezeTest: " + l)); // why an instance failed: its operator's first question
        Folded history = sale.history();
        System.out.printf("ClusterKillAndFreezeTest: %s sale: %s; failover after SIGKILL %d ms, after SIGSTOP"
                        + " %d ms; fenced records %d; restarted as failed: %s%n", sale.mode, history.summary(),
                sale.failoverAfterKill, sale.failoverAfterStop, history.fenced, sale.restartedFailed);
        assertThat(history.violations).as("decisions that held or sold more than the stock").isEmpty();
        assertThat(history.ordered.get(ClusterChild.HOT)).as("hot units ordered").isEqualTo(HOT_STOCK);
        history.received.forEach((product, units) -> assertThat(history.ordered.getOrDefault(product, 0L))
                .as("ordered of %s", product).isLessThanOrEqualTo(units));
        assertThat(history.duplicateOrders).as("order lines written twice").isEmpty();
        assertThat(history.duplicateHolds).as("holds written twice").isEmpty();
        assertThat(sale.confirmedSeen()).as("confirms buyers saw").isNotEmpty();
        assertThat(history.orderIds).as("confirms buyers saw, in the log").containsAll(sale.confirmedSeen());
        for (Map.Entry<String, Map<String, Long>> instance : sale.ledgers().entrySet()) {
            assertThat(instance.getValue()).as("ledger of %s against the log", instance.getKey())
                    .isEqualTo(history.available());
        }
    }

    /**
     * The README's "Reading the topics from elsewhere": a reader that knows only the article (read_committed, the
     * JSON values, no headers, duplicates dropped by identity, the article's two views on H2) and every replica,
     * at every position once the holds have ended. Over what the fencing rule counts the two are equal; over
     * everything the reader can parse (it cannot see epochs) they differ by exactly the fenced decisions.
     */
    private void outsideReaderAgrees(Sale sale) throws IOException {
        ArticleReader outside = ArticleReader.read(broker.bootstrapServers(), ClusterChild.topics(sale.prefix));
        Set<String> fenced = sale.fencedRecords();
        java.util.function.Predicate<ArticleReader.Read> counted = countedBy(fenced);
        Map<String, ArticleReader.Row> article = outside.views(counted);
        for (Map.Entry<String, Map<String, ArticleReader.Row>> replica : sale.positions().entrySet()) {
            assertThat(replica.getValue()).as("%s against the article's views over what it counts", replica.getKey())
                    .isEqualTo(article);
        }
        // what a reader that cannot see epochs sums: the counted rows, plus the fenced records that stand for it,
        // minus the counted ones that a fenced record of the same identity displaced
        List<ArticleReader.Read> standingAll = outside.standing(r -> true), standingCounted = outside.standing(counted);
        Map<String, ArticleReader.Row> expected = new java.util.TreeMap<>(article);
        Set<ArticleReader.Read> inAll = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        inAll.addAll(standingAll);
        Set<ArticleReader.Read> inCounted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        inCounted.addAll(standingCounted);
        int shownThatReplicasSkip = 0;
        for (ArticleReader.Read r : standingAll) {
            if (!inCounted.contains(r)) {
                shownThatReplicasSkip++;
                expected.merge(r.event().productId() + "@" + r.event().warehouseId(),
                        ArticleReader.effect(r.event()), (a, b) -> ArticleReader.plus(a, b, 1));
            }
        }
        for (ArticleReader.Read r : standingCounted) {
            if (!inAll.contains(r)) {
                expected.merge(r.event().productId() + "@" + r.event().warehouseId(),
                        ArticleReader.effect(r.event()), (a, b) -> ArticleReader.plus(a, b, -1));
            }
        }
        Map<String, ArticleReader.Row> headerBlind = outside.views(r -> true);
        long differing = article.keySet().stream().filter(k -> !article.get(k).equals(headerBlind.get(k))).count();
        System.out.printf("ClusterKillAndFreezeTest: outside reader: %d records, %d it cannot parse (claims, answers"
                        + " with no event); %d fenced records, %d of them standing for it; positions where it"
                        + " differs from the replicas: %d of %d%n", outside.records().size(), outside.unparseable(),
                fenced.size(), shownThatReplicasSkip, differing, article.size());
        assertThat(headerBlind).as("the header-blind reader: the replicas' counts and the fenced decisions")
                .isEqualTo(expected);
    }

    /** The records the fencing rule counts: all but {@code fenced} (topic-partition@offset). */
    private static java.util.function.Predicate<ArticleReader.Read> countedBy(Set<String> fenced) {
        return r -> !fenced.contains(r.topic() + "-" + r.partition() + "@" + r.offset());
    }

    /** Kills the hot SKU's owner and starts it again; then freezes its successor past the session timeout. */
    private void killAndFreeze(Sale sale) throws Exception {
        Thread.sleep(3_000);
        String owner = sale.ownerOfHot();
        long killed = System.nanoTime();
        sale.children.get(instance(owner)).process.destroyForcibly(); // SIGKILL
        log.add("TEST killed " + owner);
        Thread.sleep(1_000);
        sale.launch(instance(owner));
        String successor = sale.awaitNewOwner(owner, Duration.ofSeconds(30));
        sale.failoverAfterKill = (System.nanoTime() - killed) / 1_000_000;
        Thread.sleep(2_000);
        String frozen = sale.ownerOfHot();
        log.add("TEST SIGSTOP " + frozen + " (successor after the kill: " + successor + ")");
        // armed beforehand (a shell waiting for a line), so the signal follows the look for an open transaction
        // within a millisecond, not the tens a new process takes
        Process stop = new ProcessBuilder("sh", "-c", "read go; exec kill -STOP "
                + sale.children.get(instance(frozen)).process.pid()).start();
        if (sale.transactions()) {
            log.add("TEST an open transaction on the hot SKU's partition before the SIGSTOP: "
                    + sale.awaitOpenTransaction(Duration.ofSeconds(3)));
        }
        long stopped = System.nanoTime();
        stop.getOutputStream().write('\n');
        stop.getOutputStream().flush();
        assertThat(stop.waitFor()).isZero();
        sale.awaitNewOwner(frozen, Duration.ofSeconds(30));
        sale.failoverAfterStop = (System.nanoTime() - stopped) / 1_000_000;
        Thread.sleep(2_000);
        signal("CONT", sale.children.get(instance(frozen)).process);
        log.add("TEST SIGCONT " + frozen);
        sale.awaitSoldOut(Duration.ofSeconds(90));
    }

    private static String instance(String run) {
        return run.substring(0, run.indexOf('/'));
    }

    private static void signal(String signal, Process p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    /** One sale: its topics, its three instances, and what the log says afterwards. */
    private final class Sale {
        final String mode, prefix;
        final long seed;
        final Path dir;
        final Map<String, Child> children = new LinkedHashMap<>();
        final List<String> restartedFailed = new ArrayList<>();
        long failoverAfterKill = -1, failoverAfterStop = -1;

        Sale(String mode, long seed) throws Exception {
            this.mode = mode;
            this.seed = seed;
            this.prefix = "kf" + RUN.incrementAndGet() + "_";
            this.dir = Files.createDirectories(tmp.resolve(mode));
            List<String> topics = new ArrayList<>(ClusterChild.topics(prefix).values().stream().distinct().toList());
            topics.addAll(List.of(prefix + "requests", prefix + "dead_letters", prefix + "alerts", prefix + "snapshots"));
            broker.createTopics(PARTITIONS, topics.toArray(String[]::new));
            String receipts = prefix + EventKind.STOCK_RECEIVED.defaultTopic();
            Instant t = Instant.now();
            broker.send(receipts, ClusterChild.HOT, EventCodec.encode(InventoryEvent.stockReceived("R-HOT",
                    ClusterChild.HOT, ClusterChild.WH, HOT_STOCK, t)));
            for (String p : ClusterChild.BACKGROUND) {
                broker.send(receipts, p, EventCodec.encode(InventoryEvent.stockReceived("R-" + p, p, ClusterChild.WH,
                        BACKGROUND_STOCK, t)));
            }
        }

        interface During {
            void run(Sale sale) throws Exception;
        }

        void run(During during) throws Exception {
            for (String instance : List.of("s1", "s2", "s3")) {
                launch(instance);
            }
            for (Child c : children.values()) {
                assertThat(c.awaitLine("READY", Duration.ofSeconds(60))).as("%s ready", c.instance).isTrue();
            }
            during.run(this);
            Files.createFile(dir.resolve("stop"));
            for (Child c : children.values()) { // every instance's buyers stop before any replica is read
                assertThat(InProcessBroker.await(() -> Files.exists(dir.resolve(c.instance + ".stopped")),
                        Duration.ofSeconds(90))).as("%s's buyers stopped", c.instance).isTrue();
            }
            if (clustered()) { // every hold lapses, and its owner writes that it did
                java.util.function.Predicate<ArticleReader.Read> counted = countedBy(fencedRecords());
                assertThat(InProcessBroker.await(() -> ArticleReader.read(broker.bootstrapServers(),
                        ClusterChild.topics(prefix)).views(counted).values().stream().allMatch(r -> r.held() == 0),
                        Duration.ofSeconds(30))).as("every lapse in the history within 30 s").isTrue();
            }
            Files.createFile(dir.resolve("dump"));
            for (Child c : List.copyOf(children.values())) {
                assertThat(c.process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", c.instance).isTrue();
            }
            for (String instance : List.copyOf(children.keySet())) {
                if (Files.readAllLines(dir.resolve(instance + ".ledger")).get(0).contains("FAILED")) {
                    restartedFailed.add(instance); // its replica counted a fenced decision: restart it
                    Child again = launch(instance);
                    assertThat(again.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                }
            }
        }

        Child launch(String instance) throws IOException {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dorg.slf4j.simpleLogger.log.dev.inventoryledger=info",
                    "-cp", classpath, ClusterChild.class.getName(), broker.bootstrapServers(), instance, mode,
                    dir.toString(), prefix, Long.toString(seed + instance.hashCode()),
                    Integer.toString(clustered() ? CLUSTER_PAUSE_MILLIS : REPLICA_PAUSE_MILLIS));
            Child c = new Child(instance, new ProcessBuilder(command).redirectErrorStream(true).start());
            children.put(instance, c);
            return c;
        }

        /**
         * The run ({@code <instance>/<run>}) whose claim of the hot SKU's partition is the last in the log; with
         * transactions (no claims), the one that wrote its last decision, committed or not.
         */
        String ownerOfHot() {
            String owner = null;
            for (ConsumerRecord<byte[], byte[]> r : broker.readToEnd(prefix + "reservations", hotPartition())) {
                if (r.headers().lastHeader(transactions() ? ClusterHeaders.OWNER : ClusterHeaders.CLAIM) != null) {
                    owner = ClusterHeaders.text(r, ClusterHeaders.OWNER);
                }
            }
            return owner;
        }

        boolean clustered() {
            return !mode.equals("replica");
        }

        boolean transactions() {
            return mode.equals("transactions");
        }

        /**
         * Waits, within the bound, until the hot SKU's partition has a transaction open (a record past the last
         * stable offset on reservations or requests), so that the freeze that follows most often catches its
         * owner with decisions written and not committed; false if none was seen.
         */
        boolean awaitOpenTransaction(Duration bound) {
            List<org.apache.kafka.common.TopicPartition> hot = List.of(
                    new org.apache.kafka.common.TopicPartition(prefix + "reservations", hotPartition()),
                    new org.apache.kafka.common.TopicPartition(prefix + "requests", hotPartition()));
            try (var committed = endsReader("read_committed"); var all = endsReader("read_uncommitted")) {
                long deadline = System.nanoTime() + bound.toNanos();
                while (System.nanoTime() < deadline) {
                    Map<org.apache.kafka.common.TopicPartition, Long> stable = committed.endOffsets(hot),
                            high = all.endOffsets(hot);
                    if (hot.stream().anyMatch(tp -> high.get(tp) > stable.get(tp))) {
                        return true;
                    }
                }
            }
            return false;
        }

        private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> endsReader(String isolation) {
            return new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of("bootstrap.servers",
                    broker.bootstrapServers(), "isolation.level", isolation),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        }

        /** Records a read_uncommitted reader gets and a read_committed one does not (decisions, answers). */
        long aborted() {
            long all = 0, committed = 0;
            for (String topic : List.of(prefix + "reservations", prefix + "orders", prefix + "requests")) {
                for (int p = 0; p < PARTITIONS; p++) {
                    all += broker.readToEnd("read_uncommitted", topic, p).size();
                    committed += broker.readToEnd("read_committed", topic, p).size();
                }
            }
            return all - committed;
        }

        /** The partition's records as the sale's replicas read them: committed only, with transactions. */
        private List<ConsumerRecord<byte[], byte[]>> read(String topic, int partition) {
            return broker.readToEnd(transactions() ? "read_committed" : "read_uncommitted", topic, partition);
        }

        String awaitNewOwner(String former, Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            String now;
            while ((now = ownerOfHot()) == null || now.equals(former)) {
                assertThat(System.nanoTime()).as("a new owner of the hot SKU within %s", bound).isLessThan(deadline);
                sleep(100);
            }
            log.add("TEST new owner of the hot SKU: " + now);
            return now;
        }

        void awaitSoldOut(Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            while (System.nanoTime() < deadline) {
                // an instance that stopped deciding (its own decision fenced) may count what the log does not
                if (children.values().stream().filter(c -> !c.lastStatus.contains("state=FAILED"))
                        .anyMatch(c -> c.lastStatus.contains(" available=0 ") || c.lastStatus.contains(" available=-"))) {
                    sleep(1_000);
                    return;
                }
                sleep(200);
            }
        }

        int hotPartition() {
            return Utils.toPositive(Utils.murmur2(ClusterChild.HOT.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        }

        Set<String> confirmedSeen() throws IOException {
            Set<String> seen = new HashSet<>();
            for (String instance : children.keySet()) {
                Path f = dir.resolve(instance + ".confirmed");
                if (Files.exists(f)) {
                    seen.addAll(Files.readAllLines(f));
                }
            }
            return seen;
        }

        Map<String, Map<String, Long>> ledgers() throws IOException {
            Map<String, Map<String, Long>> ledgers = new LinkedHashMap<>();
            positions().forEach((instance, rows) -> {
                Map<String, Long> available = new HashMap<>();
                rows.forEach((position, row) -> available.put(position.substring(0, position.indexOf('@')),
                        row.available()));
                ledgers.put(instance, available);
            });
            return ledgers;
        }

        /** Each instance's replica at the end: available, held and sellable by position. */
        Map<String, Map<String, ArticleReader.Row>> positions() throws IOException {
            Map<String, Map<String, ArticleReader.Row>> all = new LinkedHashMap<>();
            for (String instance : children.keySet()) {
                Map<String, ArticleReader.Row> rows = new java.util.TreeMap<>();
                for (String line : Files.readAllLines(dir.resolve(instance + ".ledger"))) {
                    if (!line.startsWith("state ")) {
                        String[] f = line.split(" ");
                        rows.put(f[0] + "@" + ClusterChild.WH, new ArticleReader.Row(Long.parseLong(f[1]),
                                Long.parseLong(f[2]), Long.parseLong(f[3])));
                    }
                }
                all.put(instance, rows);
            }
            return all;
        }

        /** The records of the orders and reservations topics the fencing rule skips, as topic-partition@offset. */
        Set<String> fencedRecords() {
            Set<String> fenced = new HashSet<>();
            for (String topic : List.of(prefix + "reservations", prefix + "orders")) {
                for (int p = 0; p < PARTITIONS; p++) {
                    long claim = -1;
                    for (ConsumerRecord<byte[], byte[]> r : read(topic, p)) {
                        if (r.headers().lastHeader(ClusterHeaders.CLAIM) != null) {
                            claim = Math.max(claim, Long.parseLong(ClusterHeaders.text(r, ClusterHeaders.CLAIM)));
                        } else if (ClusterHeaders.text(r, ClusterHeaders.EPOCH) != null
                                && Long.parseLong(ClusterHeaders.text(r, ClusterHeaders.EPOCH)) < claim) {
                            fenced.add(topic + "-" + p + "@" + r.offset());
                        }
                    }
                }
            }
            return fenced;
        }

        Folded history() {
            Folded f = new Folded();
            for (ConsumerRecord<byte[], byte[]> r : readAll(prefix + EventKind.STOCK_RECEIVED.defaultTopic())) {
                InventoryEvent e = decode(EventKind.STOCK_RECEIVED, r);
                f.received.merge(e.productId(), e.quantity(), Long::sum);
            }
            for (int p = 0; p < PARTITIONS; p++) {
                List<Decided> decided = new ArrayList<>();
                decided.addAll(admitted(prefix + "reservations", p, EventKind.RESERVATION_HELD, f));
                decided.addAll(admitted(prefix + "orders", p, EventKind.ORDER_PLACED, f));
                decided.sort(clustered() ? IN_DECISION_ORDER : BY_EVENT_TIME);
                decided.forEach(d -> f.take(d.event));
            }
            return f;
        }

        /** The partition's records that count, by the fencing rule, in log order. */
        private List<Decided> admitted(String topic, int partition, EventKind kind, Folded f) {
            List<Decided> out = new ArrayList<>();
            long claim = -1;
            for (ConsumerRecord<byte[], byte[]> r : read(topic, partition)) {
                if (r.headers().lastHeader(ClusterHeaders.CLAIM) != null) {
                    claim = Math.max(claim, Long.parseLong(ClusterHeaders.text(r, ClusterHeaders.CLAIM)));
                    continue;
                }
                String epochText = ClusterHeaders.text(r, ClusterHeaders.EPOCH);
                String generation = ClusterHeaders.text(r, ClusterHeaders.GENERATION); // with transactions
                long epoch = epochText != null ? Long.parseLong(epochText)
                        : generation != null ? Long.parseLong(generation) : -1;
                if (epochText != null && epoch < claim) {
                    f.fenced++;
                    continue;
                }
                if (r.value() == null) {
                    continue; // an answer that changed nothing
                }
                String seq = ClusterHeaders.text(r, ClusterHeaders.SEQUENCE);
                // replica mode writes no epochs: its records are taken in log order
                out.add(new Decided(epoch, seq == null ? r.offset() : Long.parseLong(seq), topic, r.offset(),
                        decode(kind, r)));
            }
            return out;
        }

        private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                all.addAll(read(topic, p));
            }
            return all;
        }
    }

    private record Decided(long epoch, long sequence, String topic, long offset, InventoryEvent event) {
        /** At one instant, what gives units back before what takes them: a conflict is never made up. */
        int rank() {
            return switch (event.kind()) {
                case RESERVATION_RELEASED -> 0;
                case ORDER_PLACED -> 1;
                default -> 2;
            };
        }
    }

    /** A cluster's decisions: the owners' epochs in turn, each owner's decisions in the order it took them. */
    private static final Comparator<Decided> IN_DECISION_ORDER = Comparator.comparingLong(Decided::epoch)
            .thenComparingLong(Decided::sequence).thenComparing(Decided::topic).thenComparingLong(Decided::offset);
    /**
     * Replicas' decisions have no common order: they are taken by event time (to the millisecond), releases and
     * orders before holds at the same instant, which can only hide an oversell, never invent one.
     */
    private static final Comparator<Decided> BY_EVENT_TIME = Comparator.comparing((Decided d) -> d.event.eventTime())
            .thenComparingInt(Decided::rank).thenComparing(Decided::topic).thenComparingLong(Decided::offset);

    /**
     * A direct fold of the history in decision order: received, ordered (each order line once), the holds
     * active at each decision's event time, and every decision after which held + sold exceeded the stock.
     */
    private static final class Folded {
        final Map<String, Long> received = new HashMap<>(), ordered = new HashMap<>();
        final Set<String> orderIds = new HashSet<>();
        final List<String> duplicateOrders = new ArrayList<>(), duplicateHolds = new ArrayList<>(),
                violations = new ArrayList<>();
        long fenced, holds;
        private final Set<String> orderLines = new HashSet<>(), holdLines = new HashSet<>();
        /** Per product: hold line key → units still held and when it lapses. */
        private final Map<String, Map<String, long[]>> active = new HashMap<>();

        void take(InventoryEvent e) {
            String product = e.productId();
            Map<String, long[]> holdsOf = active.computeIfAbsent(product, p -> new HashMap<>());
            long now = e.eventTime().toEpochMilli();
            holdsOf.values().removeIf(h -> h[1] <= now); // lapsed at this decision's time
            String line = e.id() + "@" + product + "@" + e.warehouseId();
            switch (e.kind()) {
                case RESERVATION_HELD -> {
                    if (!holdLines.add(line)) {
                        duplicateHolds.add(line);
                        return;
                    }
                    holds++;
                    holdsOf.put(line, new long[]{e.quantity(), e.expiresAt().toEpochMilli()});
                }
                case RESERVATION_RELEASED -> {
                    long[] h = holdsOf.get(line);
                    if (h != null && (h[0] -= e.quantity()) <= 0) {
                        holdsOf.remove(line);
                    }
                }
                case ORDER_PLACED -> {
                    if (!orderLines.add(e.id() + "@" + product)) {
                        duplicateOrders.add(e.id() + "@" + product);
                        return;
                    }
                    orderIds.add(e.id());
                    if (e.reservationId() != null) {
                        holdsOf.remove(e.reservationId() + "@" + product + "@" + e.warehouseId());
                    }
                    ordered.merge(product, e.quantity(), Long::sum);
                }
                default -> throw new AssertionError(e);
            }
            long held = holdsOf.values().stream().mapToLong(h -> h[0]).sum();
            long sold = ordered.getOrDefault(product, 0L);
            if (held + sold > received.getOrDefault(product, 0L)) {
                violations.add(e + ": held " + held + " + sold " + sold + " > " + received.get(product));
            }
        }

        Map<String, Long> available() {
            Map<String, Long> available = new HashMap<>();
            received.forEach((p, units) -> available.put(p, units - ordered.getOrDefault(p, 0L)));
            return available;
        }

        String summary() {
            return holds + " holds, ordered " + ordered + " of " + received + ", " + violations.size()
                    + " decisions over the stock";
        }
    }

    private static InventoryEvent decode(EventKind kind, ConsumerRecord<byte[], byte[]> r) {
        try {
            return new EventCodec(1 << 20).decode(kind, r.value());
        } catch (EventCodec.Refused refused) {
            throw new AssertionError("record " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + refused);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One child JVM, its output drained into the test's log all the time. */
    private final class Child {
        final String instance;
        final Process process;
        volatile String lastStatus = "";

        Child(String instance, Process process) {
            this.instance = instance;
            this.process = process;
            Thread drainer = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("STATUS ")) {
                            lastStatus = line + " ";
                        } else {
                            log.add(instance + "[" + process.pid() + "] " + line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            }, "drain-" + instance);
            drainer.setDaemon(true);
            drainer.start();
        }

        boolean awaitLine(String prefix, Duration bound) {
            return InProcessBroker.await(() -> log.stream().anyMatch(l -> l.startsWith(instance + "[" + process.pid()
                    + "] " + prefix)), bound);
        }
    }
}
