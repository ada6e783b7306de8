package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The memory a long history leaves in a replica with the default dedup horizon (24 h of event time): a store of
 * {@code --products} × {@code --warehouses} positions (default 1,000,000 × 2), one receipt each, then
 * {@code --events} (default 100,000,000) orders (50%), receipts (40%) and cancellations (10%) at random
 * positions over {@code --days} of event time (default 10), applied in order to one ledger. Printed: the heap the
 * ledger retains (used heap after full collections, with the ledger, less without), the identities it
 * remembers, and how many it forgot, by why (the horizon, or the memory bound).
 *
 * <p>Run: {@code java -Xmx8g -cp inventory-bench/target/benchmarks.jar dev.inventoryledger.bench.HorizonMemory
 * [--products=1000000] [--warehouses=2] [--events=100000000] [--days=10]}.
 */
public final class HorizonMemory {
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

    private HorizonMemory() {
    }

    public static void main(String[] args) {
        Flags o = Flags.parse(args, java.util.Set.of("products", "warehouses", "events", "days"));
        int products = o.integer("products", 1_000_000);
        int warehouses = o.integer("warehouses", 2);
        long events = o.longValue("events", 100_000_000);
        int days = o.integer("days", 10);
        System.out.println(measure(products, warehouses, events, days));
    }

    static String measure(int products, int warehouses, long events, int days) {
        long before = usedAfterGc();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        InventoryLedger ledger = InventoryLedger.builder().meterRegistry(registry).build();
        String[] ids = new String[products];
        for (int p = 0; p < products; p++) {
            ids[p] = "SKU-" + (1_000_000 + p);
        }
        String[] wh = new String[warehouses];
        for (int w = 0; w < warehouses; w++) {
            wh[w] = "WH-" + w;
        }
        long positions = (long) products * warehouses;
        long nanosPerEvent = TimeUnit.DAYS.toNanos(days) / Math.max(1, events);
        SplittableRandom random = new SplittableRandom(3);
        long t0 = System.nanoTime();
        for (long i = 0; i < positions + events; i++) {
            Instant at = T0.plusNanos(Math.max(0, i - positions) * nanosPerEvent);
            InventoryEvent e;
            if (i < positions) {
                e = InventoryEvent.stockReceived("R-" + i, ids[(int) (i / warehouses)], wh[(int) (i % warehouses)],
                        1_000_000, at);
            } else {
                String product = ids[random.nextInt(products)], warehouse = wh[random.nextInt(warehouses)];
                int k = random.nextInt(10);
                e = k < 5 ? InventoryEvent.orderPlaced("O-" + i, product, warehouse, 1, at)
                        : k < 9 ? InventoryEvent.stockReceived("R-" + i, product, warehouse, 1, at)
                        : InventoryEvent.orderCancelled("C-" + i, product, warehouse, 1, at);
            }
            ledger.apply(e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long retained = usedAfterGc() - before;
        String out = String.format(Locale.ROOT, "%,d positions, %,d events over %d days, applied in %.0f s (%,.0f/s): "
                        + "retained heap %,d bytes (%.2f GiB), %,d identities remembered, forgotten by the horizon "
                        + "%,.0f, by the memory bound %,.0f", positions, events, days, seconds,
                (positions + events) / seconds, retained, retained / (double) (1L << 30), ledger.rememberedIdentities(),
                registry.get("inventory.identities.forgotten").tag("reason", "horizon").functionCounter().count(),
                registry.get("inventory.identities.forgotten").tag("reason", "memory").functionCounter().count());
        java.lang.ref.Reference.reachabilityFence(ledger);
        return out;
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
