package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.LedgerAccess;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * How long one partition's snapshot holds its products still: the capture a feed does between records (its
 * apply paused meanwhile), alone, without Kafka. A ledger of {@code --products} × {@code --warehouses}
 * positions (default 500,000 × 2) remembering {@code --identities} order identities (default 10,000,000, all
 * within the horizon), cut into {@code --partitions} (default 8) as Kafka's partitioner would; each round
 * captures every partition in turn. Printed per round: the longest and the mean capture, and the whole round.
 *
 * <p>Run: {@code java -Xmx8g -cp inventory-bench/target/benchmarks.jar dev.inventoryledger.bench.SnapshotCapture
 * [--products=500000] [--warehouses=2] [--identities=10000000] [--partitions=8] [--rounds=5]}.
 */
public final class SnapshotCapture {
    private SnapshotCapture() {
    }

    public static void main(String[] args) {
        Flags o = Flags.parse(args, java.util.Set.of("products", "warehouses", "identities", "partitions", "rounds"));
        int products = o.integer("products", 500_000);
        int warehouses = o.integer("warehouses", 2);
        long identities = o.longValue("identities", 10_000_000);
        int partitions = o.integer("partitions", 8);
        int rounds = o.integer("rounds", 5);
        run(products, warehouses, identities, partitions, rounds).forEach(System.out::println);
    }

    /** The rounds' lines, as printed. */
    static java.util.List<String> run(int products, int warehouses, long identities, int partitions, int rounds) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        InventoryLedger ledger = InventoryLedger.builder().build();
        Instant t = Instant.parse("2026-06-01T00:00:00Z");
        for (int p = 0; p < products; p++) {
            for (int w = 0; w < warehouses; w++) {
                ledger.apply(InventoryEvent.stockReceived("R-" + p + "-" + w, "SKU-" + p, "WH-" + w, 1_000_000, t));
            }
        }
        for (long i = 0; i < identities; i++) {
            ledger.apply(InventoryEvent.orderPlaced("O-" + i, "SKU-" + (i % products), "WH-" + (i % warehouses), 1,
                    t.plusMillis(i / 200)));
        }
        lines.add(String.format(Locale.ROOT, "%,d positions, %,d identities, %d partitions",
                (long) products * warehouses, ledger.rememberedIdentities(), partitions));
        for (int r = 1; r <= rounds; r++) {
            long longest = 0, all = 0, bytes = 0;
            for (int part = 0; part < partitions; part++) {
                long t0 = System.nanoTime();
                Map<Integer, CheckpointFile.Contents> c = LedgerAccess.images(ledger).capture(id -> Utils.toPositive(
                        Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions, partitions,
                        Map.of(part, Map.of("orders:" + part, 0L)));
                long took = System.nanoTime() - t0;
                longest = Math.max(longest, took);
                all += took;
                bytes += c.get(part).products().size();
            }
            lines.add(String.format(Locale.ROOT, "round %d: longest capture %.1f ms, mean %.1f ms, the round %.0f ms "
                    + "(%,d products)", r, longest / 1e6, all / 1e6 / partitions, all / 1e6, bytes));
        }
        return lines;
    }
}
