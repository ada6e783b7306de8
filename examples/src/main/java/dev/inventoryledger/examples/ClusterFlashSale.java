package dev.inventoryledger.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.kafka.InventoryCluster;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import dev.inventoryledger.kafka.InventoryTopics;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flash sale across three storefront instances, each in its own JVM, against a Kafka broker in a fourth:
 * once with {@link InventoryCluster} (each product's holds decided by its owner), once the way a single
 * instance works (each instance's own {@code tryReserve}, published to the others). Mid-sale one instance is
 * killed with SIGKILL: in the cluster's sale, the flash SKU's owner. The units sold are then read back from
 * the topics by a fresh replica, not taken from what the instances believe.
 *
 * <pre>java -cp examples/target/inventory-examples.jar dev.inventoryledger.examples.ClusterFlashSale [--seconds=20]</pre>
 *
 * <p>Exits 0 if the cluster's sale sold no more than the stock, 1 if it oversold, 64 on a bad argument.
 */
public final class ClusterFlashSale {
    private static final String FLASH = "FLASH-1", WH = "WH-1";
    private static final long STOCK = 100;
    private static final int BUYERS_PER_INSTANCE = 8;
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final List<String> INSTANCES = List.of("storefront-1", "storefront-2", "storefront-3");

    private ClusterFlashSale() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--broker")) {
            broker();
        } else if (args.length > 0 && args[0].equals("--storefront")) {
            storefront(args[1], args[2], args[3], args[4], Path.of(args[5]));
        } else {
            System.exit(run(args, System.out));
        }
    }

    /** The demo; {@code --seconds=N} sets each sale's length (default 20). */
    static int run(String[] args, java.io.PrintStream out) throws Exception {
        long seconds = 20;
        for (String a : args) {
            if (a.matches("--seconds=\\d{1,3}") && Long.parseLong(a.substring(10)) >= 4) {
                seconds = Long.parseLong(a.substring(10));
            } else {
                out.println("ClusterFlashSale: unexpected argument '" + a + "' (--seconds=N, N from 4 to 999)");
                return 64;
            }
        }
        return run(Duration.ofSeconds(seconds), out);
    }

    private static int run(Duration sale, java.io.PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("cluster-flash-sale-");
        Process broker = java("--broker");
        try {
            String servers = awaitLine(broker, "BROKER ", out).substring("BROKER ".length());
            out.println("Kafka broker in its own JVM at " + servers);
            long[] cluster = sale(servers, "cluster", dir, sale, out);
            long[] replicas = sale(servers, "replica", dir, sale, out);
            out.printf(Locale.ROOT, "%n%-28s %22s %24s%n", "", "InventoryCluster", "each instance's own");
            out.printf(Locale.ROOT, "%-28s %22s %24s%n", "", "(owner decides)", "tryReserve (replicas)");
            out.printf(Locale.ROOT, "%-28s %,22d %,24d%n", "units of " + FLASH + " in stock", STOCK, STOCK);
            out.printf(Locale.ROOT, "%-28s %,22d %,24d%n", "units sold (read back)", cluster[0], replicas[0]);
            out.printf(Locale.ROOT, "%-28s %,22d %,24d%n", "orders buyers were told", cluster[1], replicas[1]);
            out.printf(Locale.ROOT, "%-28s %22s %24s%n", "", "(by the 2 survivors)", "(by the 2 survivors)");
            out.printf(Locale.ROOT, "%-28s %22s %24s%n", "a replica: available/held", cluster[2] + " / " + cluster[3],
                    replicas[2] + " / " + replicas[3]);
            out.printf(Locale.ROOT, "%-28s %22s %24s%n", "the article's SQL, same", cluster[4] + " / " + cluster[5],
                    replicas[4] + " / " + replicas[5]);
            out.printf(Locale.ROOT, "%-28s %22s %24s%n", "", "(its owners write lapses)", "(nobody writes lapses)");
            out.printf(Locale.ROOT, "%n%s: units oversold: %d%n", "InventoryCluster", Math.max(0, cluster[0] - STOCK));
            out.printf(Locale.ROOT, "%s: units oversold: %d%n", "replica-only reservations",
                    Math.max(0, replicas[0] - STOCK));
            return cluster[0] <= STOCK ? 0 : 1;
        } finally {
            broker.destroy();
            broker.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** One sale on its own topics: three storefronts, one killed mid-sale; returns units sold and confirms seen. */
    private static long[] sale(String servers, String mode, Path dir, Duration sale, java.io.PrintStream out)
            throws Exception {
        String prefix = mode + "_";
        InventoryTopics.Builder topics = InventoryTopics.builder().bootstrapServers(servers).partitions(3)
                .replicationFactor((short) 1).retention(Duration.ofDays(1)).requestsTopic(prefix + "requests")
                .deadLetterTopic(prefix + "dead_letters").alertTopic(prefix + "alerts");
        topics(prefix).forEach(topics::topic);
        topics.build().create();
        try (InventoryEventPublisher stock = publisher(servers, prefix, "stock")) {
            stock.start();
            stock.publish(InventoryEvent.stockReceived("RCPT-1", FLASH, WH, STOCK, Instant.now()));
            stock.flush();
        }
        Path saleDir = Files.createDirectories(dir.resolve(mode));
        List<Process> storefronts = new ArrayList<>();
        for (String instance : INSTANCES) {
            storefronts.add(java("--storefront", servers, instance, mode, prefix, saleDir.toString()));
        }
        for (Process p : storefronts) {
            awaitLine(p, "READY", out);
        }
        Thread.sleep(sale.toMillis() / 4);
        int owner = -1;
        for (int i = 0; i < INSTANCES.size(); i++) {
            if (Files.exists(saleDir.resolve(INSTANCES.get(i) + ".owner"))) {
                owner = i;
            }
        }
        int victim = owner >= 0 ? owner : 1;
        storefronts.get(victim).destroyForcibly(); // SIGKILL
        out.printf("%s sale: 3 storefronts, %d buyers each, %d units; %s killed (SIGKILL) mid-sale%s%n", mode,
                BUYERS_PER_INSTANCE, STOCK, INSTANCES.get(victim), owner >= 0 ? ", the flash SKU's owner" : "");
        Thread.sleep(sale.toMillis() * 3 / 4);
        Files.createFile(saleDir.resolve("stop"));
        long confirms = 0;
        for (String instance : INSTANCES) {
            if (!instance.equals(INSTANCES.get(victim))) {
                Path told = saleDir.resolve(instance + ".confirmed");
                for (long deadline = System.nanoTime() + 60_000_000_000L; !Files.exists(told)
                        && System.nanoTime() < deadline; ) {
                    Thread.sleep(50); // its buyers have stopped
                }
            }
        }
        Thread.sleep(TTL.toMillis() + 2_000); // every hold lapses, and its owner (if any) writes that it did
        Files.createFile(saleDir.resolve("close"));
        for (int i = 0; i < storefronts.size(); i++) {
            if (i != victim) {
                storefronts.get(i).waitFor(60, TimeUnit.SECONDS);
            }
        }
        for (String instance : INSTANCES) {
            Path f = saleDir.resolve(instance + ".confirmed");
            if (Files.exists(f)) {
                confirms += Long.parseLong(Files.readString(f).trim());
            }
        }
        long[] replica = readBack(servers, prefix);
        long[] article = articleSums(servers, prefix);
        return new long[]{STOCK - replica[0], confirms, replica[0], replica[1], article[0], article[1]};
    }

    /**
     * The flash SKU's available and held as the article's two views compute them over the topics, read as an
     * outside reader would: {@code read_committed}, the JSON fields by name, records with no value (a cluster's
     * control records) skipped, duplicates dropped by identity ({@code event_id}, else kind, id, product and
     * warehouse). The views' sums, written out: available = receipts + returns + cancellations − orders;
     * held = held − released.
     */
    private static long[] articleSums(String servers, String prefix) throws IOException {
        Map<String, Object> config = Map.of("bootstrap.servers", servers, "isolation.level", "read_committed",
                "enable.auto.commit", "false");
        long available = 0, held = 0;
        Set<String> seen = new HashSet<>();
        JsonFactory json = new JsonFactory();
        try (KafkaConsumer<byte[], byte[]> c =
                     new KafkaConsumer<>(config,
                             new ByteArrayDeserializer(),
                             new ByteArrayDeserializer())) {
            for (Map.Entry<EventKind, String> t : topics(prefix).entrySet()) {
                if (t.getKey() == EventKind.RESERVATION_RELEASED) {
                    continue; // one topic with RESERVATION_HELD
                }
                List<TopicPartition> parts = c.partitionsFor(t.getValue(),
                        Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(t.getValue(), p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(30));
                while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                    for (var r : c.poll(Duration.ofMillis(200))) {
                        if (r.value() == null) {
                            continue; // a claim, or an answer that changed nothing
                        }
                        Map<String, String> f = new HashMap<>();
                        try (JsonParser p = json.createParser(r.value())) {
                            p.nextToken();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String name = p.currentName();
                                p.nextToken();
                                f.put(name, p.getValueAsString());
                            }
                        }
                        if (!FLASH.equals(f.get("product_id"))) {
                            continue;
                        }
                        String kind = t.getKey() == EventKind.RESERVATION_HELD ? f.get("status") : t.getValue();
                        String identity = f.get("event_id") != null ? "e|" + f.get("event_id")
                                : kind + "|" + f.get(t.getKey().idField()) + "|" + f.get("warehouse_id");
                        if (!seen.add(identity)) {
                            continue;
                        }
                        long q = Long.parseLong(f.get("quantity"));
                        switch (t.getKey()) {
                            case ORDER_PLACED -> available -= q;
                            case RESERVATION_HELD -> held += "held".equals(kind) ? q : -q;
                            default -> available += q;
                        }
                    }
                }
            }
        }
        return new long[]{available, held};
    }

    /** Available and held units of the flash SKU as a fresh replica reads the topics, start to end. */
    private static long[] readBack(String servers, String prefix) {
        InventoryLedger ledger = InventoryLedger.builder().build();
        KafkaInventoryFeed.Builder feed = KafkaInventoryFeed.builder().bootstrapServers(servers).ledger(ledger)
                .instanceId("read-back").startFrom(KafkaInventoryFeed.Start.EARLIEST)
                .deadLetterTopic(prefix + "dead_letters");
        topics(prefix).forEach(feed::topic);
        try (KafkaInventoryFeed f = feed.build()) {
            f.start(); // returns once every partition is read to its end
            return new long[]{ledger.available(FLASH, WH), ledger.held(FLASH, WH)};
        }
    }

    // ------------------------------------------------------------------------------------------ child JVMs

    private static void broker() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            System.out.println("BROKER " + kafka.bootstrapServers());
            while (System.in.read() >= 0) {
                // runs until the parent closes our stdin or stops us
            }
        }
    }

    private static void storefront(String servers, String instance, String mode, String prefix, Path dir)
            throws Exception {
        InventoryLedger ledger = InventoryLedger.builder().build();
        List<AutoCloseable> parts = new ArrayList<>();
        Checkout checkout;
        java.util.function.BooleanSupplier owner = () -> false;
        if (mode.equals("cluster")) {
            InventoryCluster.Builder b = InventoryCluster.builder().bootstrapServers(servers).instanceId(instance)
                    .ledger(ledger).requestsTopic(prefix + "requests").groupId(prefix + "owners")
                    .deadLetterTopic(prefix + "dead_letters").requestTimeout(Duration.ofSeconds(5));
            topics(prefix).forEach(b::topic);
            InventoryCluster cluster = b.build();
            cluster.start();
            parts.add(cluster);
            checkout = (id, pay) -> {
                ReservationResult r = cluster.tryReserve(id, List.of(ReservationLine.of(FLASH, WH, 1)), TTL).join();
                return r.accepted() && pay && cluster.confirm(id, "ORD-" + id).join() == HoldOutcome.CONFIRMED;
            };
            owner = () -> cluster.owns(FLASH);
        } else {
            InventoryEventPublisher publisher = publisher(servers, prefix, instance);
            publisher.start();
            ledger.addLocalEventListener(publisher);
            KafkaInventoryFeed.Builder fb = KafkaInventoryFeed.builder().bootstrapServers(servers).instanceId(instance)
                    .ledger(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).deadLetterTopic(prefix + "dead_letters");
            topics(prefix).forEach(fb::topic);
            KafkaInventoryFeed feed = fb.build();
            feed.start();
            parts.add(feed);
            parts.add(publisher);
            checkout = (id, pay) -> ledger.tryReserve(id, List.of(ReservationLine.of(FLASH, WH, 1)), TTL).accepted()
                    && pay && ledger.confirm(id, "ORD-" + id) == HoldOutcome.CONFIRMED;
        }
        System.out.println("READY");
        AtomicLong confirmed = new AtomicLong();
        List<Thread> buyers = buyers(instance, ledger, checkout, dir, confirmed);
        Path owns = dir.resolve(instance + ".owner"); // present while this instance decides the flash SKU
        while (!Files.exists(dir.resolve("stop"))) {
            if (owner.getAsBoolean()) {
                Files.writeString(owns, instance);
            } else {
                Files.deleteIfExists(owns);
            }
            Thread.sleep(100);
        }
        for (Thread t : buyers) {
            t.join();
        }
        Files.writeString(dir.resolve(instance + ".confirmed"), Long.toString(confirmed.get()));
        while (!Files.exists(dir.resolve("close"))) { // the shop stays open while the last holds lapse
            Thread.sleep(100);
        }
        for (AutoCloseable part : parts) {
            part.close();
        }
        System.exit(0);
    }

    /** The storefront's buyers, started: each browses (a local read), holds one unit, and most pay. */
    private static List<Thread> buyers(String instance, InventoryLedger ledger, Checkout checkout, Path dir,
                                       AtomicLong confirmed) {
        List<Thread> buyers = new ArrayList<>();
        for (int i = 0; i < BUYERS_PER_INSTANCE; i++) {
            SplittableRandom random = new SplittableRandom(instance.hashCode() * 31L + i);
            String name = instance + "-" + i;
            Thread t = new Thread(() -> {
                for (int n = 0; !Files.exists(dir.resolve("stop")); n++) {
                    try {
                        Thread.sleep(1 + random.nextInt(3));
                        if (ledger.sellable(FLASH, WH) > 0
                                && checkout.hold(name + "-" + n, random.nextInt(10) < 7)) { // 7 in 10 pay
                            confirmed.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            t.start();
            buyers.add(t);
        }
        return buyers;
    }

    private interface Checkout {
        /** Holds one unit, and pays if asked; true if the buyer was told the order was confirmed. */
        boolean hold(String id, boolean pay) throws InterruptedException;
    }

    private static Map<EventKind, String> topics(String prefix) {
        Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        for (EventKind kind : EventKind.values()) {
            topics.put(kind, prefix + kind.defaultTopic());
        }
        return topics;
    }

    private static InventoryEventPublisher publisher(String servers, String prefix, String instance) {
        InventoryEventPublisher.Builder b = InventoryEventPublisher.builder().bootstrapServers(servers)
                .instanceId(instance).alertTopic(prefix + "alerts");
        topics(prefix).forEach(b::topic);
        return b.build();
    }

    private static Process java(String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath(),
                ClusterFlashSale.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** This JVM's class path (under Maven's Surefire, the tests' own: its JVM may start from a manifest-only jar). */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The first line of the child's output that starts with {@code prefix}; the rest is drained to ours. */
    private static String awaitLine(Process p, String prefix, java.io.PrintStream out) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                Thread drain = new Thread(() -> {
                    try {
                        for (String rest; (rest = in.readLine()) != null; ) {
                            out.println("  [" + p.pid() + "] " + rest);
                        }
                    } catch (IOException gone) {
                        // the child is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return line;
            }
            out.println("  [" + p.pid() + "] " + line);
        }
        throw new IllegalStateException("child " + p.pid() + " ended before it printed " + prefix.trim());
    }
}
