package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One storefront instance of {@link ClusterKillAndFreezeTest}, in its own JVM: a cluster instance (or, in
 * {@code replica} mode, today's way: a feed, a publisher and the ledger's own {@code tryReserve}) and buyers
 * who reserve, confirm, release and abandon until the file {@code stop} appears in the run's directory. Every
 * order a buyer saw confirmed is appended to {@code <instance>.confirmed} and flushed at once. When its buyers
 * have stopped it writes {@code <instance>.stopped}; once the test has written {@code dump} (every instance
 * stopped) and this replica has read everything, its counts go to {@code <instance>.ledger}.
 *
 * <p>Arguments: bootstrap servers, instance id, mode ({@code cluster}: fencing by epoch, {@code transactions}, or {@code replica}), the run's directory,
 * the topic prefix, the seed, the buyers' pause between attempts in milliseconds.
 */
public final class ClusterChild {
    static final String HOT = "HOT", WH = "WH-1";
    static final List<String> BACKGROUND = List.of("BG-0", "BG-1", "BG-2", "BG-3", "BG-4", "BG-5", "BG-6", "BG-7");
    static final Duration TTL = Duration.ofSeconds(2);
    static final int BUYERS = 2;

    private interface Store {
        ReservationResult reserve(String id, List<ReservationLine> lines) throws Exception;

        HoldOutcome confirm(String id, String order) throws Exception;

        HoldOutcome release(String id) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String servers = args[0], instance = args[1], mode = args[2], prefix = args[4];
        Path dir = Path.of(args[3]);
        long seed = Long.parseLong(args[5]);
        int pause = Integer.parseInt(args[6]);
        InventoryLedger ledger = InventoryLedger.builder().build();
        java.util.function.LongSupplier lag; // records of the topics this replica has not read yet
        List<AutoCloseable> parts = new ArrayList<>();
        Store store;
        InventoryCluster cluster = null;
        if (!mode.equals("replica")) {
            InventoryCluster.Builder b = InventoryCluster.builder().bootstrapServers(servers).instanceId(instance)
                    .fencing(mode.equals("transactions") ? Fencing.TRANSACTIONS : Fencing.EPOCH)
                    .ledger(ledger).requestsTopic(prefix + "requests").groupId(prefix + "owners")
                    .deadLetterTopic(prefix + "dead_letters").snapshotTopic(prefix + "snapshots")
                    .requestTimeout(Duration.ofSeconds(4));
            topics(prefix).forEach(b::topic);
            cluster = b.build();
            cluster.start();
            parts.add(cluster);
            InventoryCluster c = cluster;
            lag = () -> c.feedStatus().lag();
            store = new Store() {
                public ReservationResult reserve(String id, List<ReservationLine> lines) throws Exception {
                    return c.tryReserve(id, lines, TTL).get(30, TimeUnit.SECONDS);
                }

                public HoldOutcome confirm(String id, String order) throws Exception {
                    return c.confirm(id, order).get(30, TimeUnit.SECONDS);
                }

                public HoldOutcome release(String id) throws Exception {
                    return c.release(id).get(30, TimeUnit.SECONDS);
                }
            };
        } else {
            InventoryEventPublisher.Builder pb = InventoryEventPublisher.builder().bootstrapServers(servers)
                    .instanceId(instance).alertTopic(prefix + "alerts");
            topics(prefix).forEach(pb::topic);
            InventoryEventPublisher publisher = pb.build();
            publisher.start();
            ledger.addLocalEventListener(publisher);
            KafkaInventoryFeed.Builder fb = KafkaInventoryFeed.builder().bootstrapServers(servers).instanceId(instance)
                    .ledger(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).deadLetterTopic(prefix + "dead_letters");
            topics(prefix).forEach(fb::topic);
            KafkaInventoryFeed feed = fb.build();
            feed.start();
            lag = () -> feed.status().lag();
            parts.add(feed);
            parts.add(publisher);
            store = new Store() {
                public ReservationResult reserve(String id, List<ReservationLine> lines) {
                    return ledger.tryReserve(id, lines, TTL);
                }

                public HoldOutcome confirm(String id, String order) {
                    return ledger.confirm(id, order);
                }

                public HoldOutcome release(String id) {
                    return ledger.release(id);
                }
            };
        }
        System.out.println("READY " + instance);
        Path confirmed = dir.resolve(instance + ".confirmed");
        List<Thread> buyers = new ArrayList<>();
        for (int i = 0; i < BUYERS; i++) {
            int buyer = i;
            Thread t = new Thread(() -> buy(store, ledger, instance + "-" + buyer + "-" + seed, new SplittableRandom(
                    seed * 31 + buyer), pause, dir, confirmed), "buyer-" + i);
            t.start();
            buyers.add(t);
        }
        InventoryCluster c = cluster;
        while (!Files.exists(dir.resolve("stop"))) {
            System.out.println("STATUS " + instance + " available=" + ledger.available(HOT, WH) + " held="
                    + ledger.held(HOT, WH) + (c == null ? "" : " state=" + c.state() + " owned=" + c.ownedPartitions()));
            Thread.sleep(500);
        }
        for (Thread t : buyers) {
            t.join();
        }
        Files.writeString(dir.resolve(instance + ".stopped"), instance);
        awaitDump(dir, lag);
        dump(ledger, instance, dir, c);
        for (AutoCloseable part : parts) {
            part.close();
        }
        System.out.println("DONE " + instance);
        System.exit(0);
    }

    static java.util.Map<EventKind, String> topics(String prefix) {
        java.util.Map<EventKind, String> topics = new java.util.EnumMap<>(EventKind.class);
        for (EventKind kind : EventKind.values()) {
            topics.put(kind, prefix + kind.defaultTopic());
        }
        return topics;
    }

    /** One buyer: browses (a local read), reserves, then confirms, releases or walks away. */
    private static void buy(Store store, InventoryLedger ledger, String name, SplittableRandom random, int pause,
                            Path dir, Path confirmed) {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(confirmed, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            for (int n = 0; !Files.exists(dir.resolve("stop")); n++) {
                Thread.sleep(pause / 2 + random.nextInt(pause + 1));
                String product = random.nextInt(2) == 0 ? HOT : BACKGROUND.get(random.nextInt(BACKGROUND.size()));
                if (ledger.sellable(product, WH) <= 0) {
                    continue;
                }
                String id = name + "-" + n;
                List<ReservationLine> lines = new ArrayList<>(List.of(ReservationLine.of(product, WH,
                        1 + random.nextInt(2))));
                if (random.nextInt(4) == 0) { // a basket: most span two owners
                    lines.add(ReservationLine.of(BACKGROUND.get(random.nextInt(BACKGROUND.size())), WH, 1));
                    if (lines.get(0).productId().equals(lines.get(1).productId())) {
                        lines.remove(1);
                    }
                }
                ReservationResult r = store.reserve(id, lines);
                for (int retry = 0; retry < 3 && r.status() == ReservationResult.Status.OUTCOME_UNKNOWN; retry++) {
                    r = store.reserve(id, lines); // the same id: the decision taken, never a second hold
                }
                if (!r.accepted()) {
                    continue;
                }
                int choice = random.nextInt(10);
                if (choice < 2) {
                    String order = "O-" + id;
                    HoldOutcome o = store.confirm(id, order);
                    for (int retry = 0; retry < 3 && o == HoldOutcome.OUTCOME_UNKNOWN; retry++) {
                        o = store.confirm(id, order);
                    }
                    if (o == HoldOutcome.CONFIRMED || o == HoldOutcome.CONFIRMED_AFTER_EXPIRY
                            || o == HoldOutcome.ALREADY_CONFIRMED) {
                        out.println(order);
                        out.flush();
                    }
                } else if (choice < 4) {
                    store.release(id);
                } // else: walks away; the hold lapses after its TTL
            }
        } catch (Exception e) {
            System.out.println("BUYER FAILED " + name + ": " + e);
            e.printStackTrace(System.out);
        }
    }

    /**
     * Waits for the test's word that every instance's buyers have stopped (no decision is under way anywhere),
     * then until this replica has read everything written: its lag 0 for a second on end.
     */
    private static void awaitDump(Path dir, java.util.function.LongSupplier lag) throws InterruptedException {
        while (!Files.exists(dir.resolve("dump"))) {
            Thread.sleep(50);
        }
        for (long quietSince = System.nanoTime(); System.nanoTime() - quietSince < 1_000_000_000L; ) {
            Thread.sleep(50);
            if (lag.getAsLong() != 0) {
                quietSince = System.nanoTime();
            }
        }
    }

    /** Writes the replica's counts. */
    private static void dump(InventoryLedger ledger, String instance, Path dir, InventoryCluster cluster)
            throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("state " + (cluster == null ? "REPLICA" : cluster.state()));
        List<String> products = new ArrayList<>(BACKGROUND);
        products.add(HOT);
        for (String p : products) {
            lines.add(p + " " + ledger.available(p, WH) + " " + ledger.held(p, WH) + " " + ledger.sellable(p, WH));
        }
        Files.write(dir.resolve(instance + ".ledger"), lines, StandardCharsets.UTF_8);
    }
}
