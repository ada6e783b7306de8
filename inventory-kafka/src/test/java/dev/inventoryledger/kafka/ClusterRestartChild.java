package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One storefront instance of {@link ClusterRestartTest}, in its own JVM, with no disk: a cluster instance whose
 * state lives only in the snapshot topic and the log.
 *
 * <ul>
 *   <li>{@code seed}: once the file {@code go} exists, holds two units of each of six products for
 *       {@link #TTL} (one in three then confirmed), appends the ids it holds open to {@code <instance>.held};
 *       once {@code snapshot} exists, writes the snapshots of the partitions it owns and then
 *       {@code <instance>.snapshotted}; then waits to be killed.</li>
 *   <li>{@code restart}: starts (from the snapshots and the log after them), writes its counts of every
 *       product to {@code <instance>.started}; once no product shows a unit held (the holds lapsed and their
 *       owners wrote so), to {@code <instance>.lapsed}; exits once {@code stop} exists.</li>
 * </ul>
 * Arguments: bootstrap servers, instance id, mode, the run's directory, the topic prefix. Exits by itself when
 * its standard input closes (the test's JVM died).
 */
public final class ClusterRestartChild {
    static final Duration TTL = Duration.ofSeconds(45);
    static final List<String> PRODUCTS = List.of("P-0", "P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7");
    static final String WH = "WH-1";

    private ClusterRestartChild() {
    }

    public static void main(String[] args) throws Exception {
        String servers = args[0], instance = args[1], mode = args[2], prefix = args[4];
        Path dir = Path.of(args[3]);
        Orphans.exitWhenTheTestIsGone(7);
        InventoryLedger ledger = InventoryLedger.builder().build();
        InventoryCluster.Builder b = InventoryCluster.builder().bootstrapServers(servers).instanceId(instance)
                .ledger(ledger).requestsTopic(prefix + "requests").groupId(prefix + "owners")
                .deadLetterTopic(prefix + "dead_letters").snapshotTopic(prefix + "snapshots")
                .requestTimeout(Duration.ofSeconds(20));
        ClusterChild.topics(prefix).forEach(b::topic);
        InventoryCluster cluster = b.build();
        long began = System.nanoTime();
        cluster.start();
        System.out.println("READY " + instance + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)
                + " ms, read " + cluster.feedStatus().readAtStart() + " records: " + cluster.feedStatus().start());
        if (mode.equals("seed")) {
            await(dir.resolve("go"));
            List<String> open = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String id = instance + "-h" + i;
                String product = PRODUCTS.get(Math.floorMod(instance.hashCode() + i, PRODUCTS.size()));
                ReservationResult r = cluster.tryReserve(id, List.of(ReservationLine.of(product, WH, 2)), TTL)
                        .get(30, TimeUnit.SECONDS);
                if (r.accepted() && i % 3 == 0) {
                    cluster.confirm(id, "O-" + id).get(30, TimeUnit.SECONDS);
                } else if (r.accepted()) {
                    open.add(id);
                }
            }
            Files.write(dir.resolve(instance + ".held"), open, StandardCharsets.UTF_8);
            await(dir.resolve("snapshot"));
            cluster.snapshotNow().get(60, TimeUnit.SECONDS);
            Files.writeString(dir.resolve(instance + ".snapshotted"), "owned " + cluster.ownedPartitions());
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
        dump(ledger, dir.resolve(instance + ".started"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (PRODUCTS.stream().anyMatch(p -> ledger.held(p, WH) > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        dump(ledger, dir.resolve(instance + ".lapsed"));
        await(dir.resolve("stop"));
        cluster.close();
        System.exit(0);
    }

    private static void dump(InventoryLedger ledger, Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String p : PRODUCTS) {
            lines.add(p + " " + ledger.available(p, WH) + " " + ledger.held(p, WH));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(Path file) throws InterruptedException {
        while (!Files.exists(file)) {
            Thread.sleep(20);
        }
    }
}
