package dev.inventoryledger.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.info.GraphStats;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Bytes per position and bytes per remembered event identity, in the ledger and in the naive layout a
 * storefront would otherwise write, measured on the same data:
 * <ul>
 *   <li><b>positions</b> ({@code --products} × {@code --warehouses}, default 50,000 × 10 = 500,000): the
 *       ledger fed one receipt per position, remembering one identity per product (the least it can), beside
 *       a {@code ConcurrentHashMap<String, long[]>} keyed {@code "product|warehouse"} holding {available,
 *       held};</li>
 *   <li><b>remembered identities</b> ({@code --identities}, default 10,000,000, one order each, over 10
 *       warehouses per product): the ledger remembering {@code --per-product} identities per product (default
 *       1,000 and 100; products = identities / per product), counted as the difference from the same ledger
 *       remembering one identity per product; beside a {@code ConcurrentHashMap.newKeySet()} (a
 *       {@code ConcurrentHashMap<String, Boolean>}) of the identity strings {@code "kind|id|product|warehouse"}.
 *       </li>
 * </ul>
 * Each figure is the structure's retained size with the empty structure's subtracted. {@code --method=jol}
 * (default) walks the object graph with JOL; run with {@code -Djdk.attach.allowAttachSelf=true} so that
 * JOL takes each object's size from the VM (without it JOL computes sizes from its model of the layout and
 * says so in a warning; the figures agree). {@code --method=heap} measures instead the heap used after
 * repeated full GCs before and after building each structure: a cross-check, noisier.
 *
 * JOL reads fields reflectively: open {@code java.lang} and {@code java.util.concurrent} to it, or the walk over
 * 10M strings takes minutes (each field read then fails twice before JOL falls back to {@code Unsafe}).
 *
 * <p>Run: {@code java -Xmx6g -Djdk.attach.allowAttachSelf=true --add-opens java.base/java.lang=ALL-UNNAMED
 * --add-opens java.base/java.util.concurrent=ALL-UNNAMED -cp inventory-bench/target/benchmarks.jar
 * dev.inventoryledger.bench.MemoryFootprint [--products=50000] [--warehouses=10] [--identities=10000000]
 * [--per-product=1000,100] [--method=jol|heap] [--detail=true]}. Exit status 64 on a usage error.
 */
public final class MemoryFootprint {
    private static final Set<String> OPTIONS = Set.of("products", "warehouses", "identities", "per-product",
            "method", "detail");
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    private MemoryFootprint() {
    }

    /** How retained sizes are measured. */
    enum Method {
        /** JOL's {@link GraphStats}: the sum of the sizes of every object reachable from the structure. */
        JOL,
        /** Heap used after full GCs, before and after building the structure. */
        HEAP
    }

    /**
     * What to measure.
     *
     * @param products   products of the positions measurement
     * @param warehouses warehouses per product (both measurements)
     * @param identities identities remembered in the identity measurement
     * @param perProduct identities remembered per product, one ledger row each
     * @param method     how sizes are measured
     * @param detail     also print JOL's class-by-class footprint of the positions ledger
     */
    record Settings(int products, int warehouses, long identities, List<Integer> perProduct, Method method,
                    boolean detail) {
        Settings {
            if (products < 1) {
                throw new IllegalArgumentException("--products must be > 0 but was " + products);
            }
            if (warehouses < 1 || warehouses > 1_000) {
                throw new IllegalArgumentException("--warehouses must be between 1 and 1000 but was " + warehouses);
            }
            perProduct = List.copyOf(perProduct);
            if (perProduct.isEmpty()) {
                throw new IllegalArgumentException("--per-product must name at least one count");
            }
            for (int k : perProduct) {
                if (k < 2 || k > (1 << 24) || identities % k != 0) {
                    throw new IllegalArgumentException("--per-product must be between 2 and 16777216 and divide "
                            + "--identities (" + identities + ") but was " + k);
                }
            }
        }

        static Settings defaults() {
            return new Settings(50_000, 10, 10_000_000, List.of(1_000, 100), Method.JOL, false);
        }

        /** The defaults, overridden by the command line's options. */
        static Settings parse(String... args) {
            Flags f = Flags.parse(args, OPTIONS);
            Settings d = defaults();
            return new Settings(f.integer("products", d.products), f.integer("warehouses", d.warehouses),
                    f.longValue("identities", d.identities), f.integers("per-product", d.perProduct),
                    f.choice("method", Method.class, d.method), f.bool("detail", d.detail));
        }
    }

    /**
     * One measured structure.
     *
     * @param kind   "positions" or "identities"
     * @param layout what holds them
     * @param count  positions or identities held
     * @param bytes  bytes retained for them
     */
    record Row(String kind, String layout, long count, long bytes) {
        double bytesEach() {
            return (double) bytes / count;
        }
    }

    /**
     * The measurements.
     *
     * @param settings what was measured
     * @param rows     the ledger's row first in each kind, then its peer
     * @param sizing   how sizes were measured, in words
     * @param detail   JOL's footprint of the positions ledger, or empty
     */
    record Report(Settings settings, List<Row> rows, String sizing, String detail) {
    }

    public static void main(String[] args) {
        Settings settings = Flags.settingsOrExit(args, Settings::parse,
                "usage: MemoryFootprint [--products=50000] [--warehouses=10] [--identities=10000000] "
                        + "[--per-product=1000,100] [--method=jol|heap] [--detail=true]");
        if (settings.method() == Method.JOL && !javaBaseOpen()) {
            System.err.println("note: java.base is not opened to JOL, so it reads every field of a String or a map node "
                    + "after two failed reflective attempts: at 10M identities the walk takes minutes. Add "
                    + "--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util.concurrent=ALL-UNNAMED");
        }
        System.out.print(format(measure(settings)));
    }

    /** Whether JOL may read the fields of Strings and ConcurrentHashMap nodes reflectively. */
    private static boolean javaBaseOpen() {
        Module base = Object.class.getModule(), jol = GraphStats.class.getModule();
        return base.isOpen("java.lang", jol) && base.isOpen("java.util.concurrent", jol);
    }

    /** Builds every structure in turn, one alive at a time, and measures it. */
    static Report measure(Settings s) {
        Sizer sizer = s.method() == Method.JOL ? MemoryFootprint::graphSize : MemoryFootprint::heapDelta;
        List<Row> rows = new ArrayList<>();
        long positions = (long) s.products() * s.warehouses();
        String[] warehouses = warehouseIds(s.warehouses());

        long emptyLedger = sizer.retained(() -> InventoryLedger.builder().build());
        rows.add(new Row("positions", "InventoryLedger (" + s.warehouses() + " warehouses per product)", positions,
                sizer.retained(() -> ledgerOfPositions(s.products(), warehouses)) - emptyLedger));
        long emptyMap = sizer.retained(ConcurrentHashMap::new);
        rows.add(new Row("positions", "ConcurrentHashMap<String, long[]>, key \"product|warehouse\"", positions,
                sizer.retained(() -> naivePositions(s.products(), warehouses)) - emptyMap));

        for (int perProduct : s.perProduct()) {
            int products = Math.toIntExact(s.identities() / perProduct);
            long[] remembered = new long[2];
            long full = sizer.retained(() -> {
                InventoryLedger l = ledgerOfOrders(products, perProduct, warehouses, true);
                remembered[0] = l.rememberedIdentities();
                return l;
            });
            long baseline = sizer.retained(() -> {
                InventoryLedger l = ledgerOfOrders(products, perProduct, warehouses, false);
                remembered[1] = l.rememberedIdentities();
                return l;
            });
            rows.add(new Row("identities", String.format(Locale.ROOT, "InventoryLedger, %,d per product",
                    perProduct), remembered[0] - remembered[1],
                    full - baseline));
        }
        int perProduct = s.perProduct().get(0);
        long emptySet = sizer.retained(ConcurrentHashMap::newKeySet);
        rows.add(new Row("identities", "ConcurrentHashMap.newKeySet() of \"kind|id|product|warehouse\"",
                s.identities(), sizer.retained(() -> naiveIdentities(Math.toIntExact(s.identities() / perProduct),
                perProduct, warehouses)) - emptySet));

        String detail = s.detail() ? GraphLayout.parseInstance(ledgerOfPositions(s.products(), warehouses))
                .toFootprint() : "";
        return new Report(s, List.copyOf(rows), sizing(s.method()), detail);
    }

    // ------------------------------------------------------------------------------------------ the data

    private static String[] warehouseIds(int warehouses) {
        String[] ids = new String[warehouses];
        for (int w = 0; w < warehouses; w++) {
            ids[w] = "WH-" + w;
        }
        return ids;
    }

    private static String productId(int p) {
        return "SKU-" + (100_000 + p);
    }

    /**
     * Every position gets one receipt, two seconds after the previous one of its product, under a one-second
     * horizon: one identity remembered per product (the least it can), in the smallest table.
     */
    static InventoryLedger ledgerOfPositions(int products, String[] warehouses) {
        InventoryLedger ledger = InventoryLedger.builder().dedupHorizon(Duration.ofSeconds(1)).build();
        for (int p = 0; p < products; p++) {
            String product = productId(p);
            for (int w = 0; w < warehouses.length; w++) {
                ledger.apply(InventoryEvent.stockReceived("RCPT-" + p + "-" + w, product, warehouses[w], 1_000,
                        T.plusSeconds(2L * w)));
            }
        }
        return ledger;
    }

    static ConcurrentHashMap<String, long[]> naivePositions(int products, String[] warehouses) {
        ConcurrentHashMap<String, long[]> map = new ConcurrentHashMap<>();
        for (int p = 0; p < products; p++) {
            String product = productId(p);
            for (String warehouse : warehouses) {
                map.put(product + "|" + warehouse, new long[] {1_000, 0}); // available, held
            }
        }
        return map;
    }

    /**
     * {@code perProduct} orders of one unit for each product, round-robin over the warehouses, one every two
     * seconds of event time; remembering them all ({@code rememberAll}: the default horizon of 24 h) or only the
     * last one per product (a one-second horizon).
     */
    static InventoryLedger ledgerOfOrders(int products, int perProduct, String[] warehouses, boolean rememberAll) {
        InventoryLedger ledger = InventoryLedger.builder()
                .dedupHorizon(rememberAll ? Duration.ofHours(24) : Duration.ofSeconds(1))
                .maxRememberedIdentities(Long.MAX_VALUE).build();
        long order = 0;
        for (int p = 0; p < products; p++) {
            String product = productId(p);
            for (int i = 0; i < perProduct; i++) {
                ledger.apply(InventoryEvent.orderPlaced(orderId(order++), product, warehouses[i % warehouses.length],
                        1, T.plusSeconds(2L * i)));
            }
        }
        return ledger;
    }

    /** The same orders' identities as strings, as a storefront deduplicating by hand would keep them. */
    static Set<String> naiveIdentities(int products, int perProduct, String[] warehouses) {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        long order = 0;
        for (int p = 0; p < products; p++) {
            String product = productId(p);
            for (int i = 0; i < perProduct; i++) {
                seen.add("ORDER_PLACED|" + orderId(order++) + "|" + product + "|" + warehouses[i % warehouses.length]);
            }
        }
        return seen;
    }

    private static String orderId(long n) {
        return "ORD-" + (100_000_000L + n);
    }

    // ------------------------------------------------------------------------------------------ sizing

    /** Bytes a structure retains. */
    @FunctionalInterface
    private interface Sizer {
        long retained(Supplier<?> build);
    }

    private static long graphSize(Supplier<?> build) {
        return GraphStats.parseInstance(build.get()).totalSize();
    }

    private static long heapDelta(Supplier<?> build) {
        long before = usedAfterGc();
        Object built = build.get();
        long after = usedAfterGc();
        Reference.reachabilityFence(built);
        return after - before;
    }

    /** Heap used once full GCs stop freeing anything (at most 10). */
    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    private static String sizing(Method method) {
        String vm = String.format(Locale.ROOT, "JDK %s, %s, compressed oops %s", Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getVmName(), vmOption("UseCompressedOops"));
        if (method == Method.HEAP) {
            return "heap used after full GCs, before and after building each structure (" + vm + ")";
        }
        return Boolean.getBoolean("jdk.attach.allowAttachSelf")
                ? "JOL GraphStats, object sizes from the VM (Instrumentation, self-attach allowed; " + vm + ")"
                : "JOL GraphStats, object sizes from JOL's layout model (self-attach not allowed: add "
                + "-Djdk.attach.allowAttachSelf=true for the VM's own sizes; " + vm + ")";
    }

    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException notHotSpot) {
            return "unknown (" + notHotSpot.getClass().getSimpleName() + ")";
        }
    }

    // ------------------------------------------------------------------------------------------ report

    /** The table: per kind, the ledger's row first, then its peer with the ratio to the ledger. */
    static String format(Report r) {
        StringBuilder out = new StringBuilder();
        out.append("Memory footprint: ").append(r.sizing()).append('\n').append('\n');
        String row = "%-11s %-62s %12s %12s %10s %9s%n";
        out.append(String.format(Locale.ROOT, row, "what", "layout", "count", "MiB", "bytes each", "vs ledger"));
        double ledgerEach = 0;
        String kind = "";
        for (Row x : r.rows()) {
            if (!x.kind().equals(kind)) {
                kind = x.kind();
                ledgerEach = x.bytesEach();
            }
            out.append(String.format(Locale.ROOT, row, x.kind(), x.layout(), String.format(Locale.ROOT, "%,d",
                    x.count()), String.format(Locale.ROOT, "%,.1f", x.bytes() / 1048576.0), String.format(Locale.ROOT,
                    "%.1f", x.bytesEach()), String.format(Locale.ROOT, "%.2fx", x.bytesEach() / ledgerEach)));
        }
        if (!r.detail().isEmpty()) {
            out.append('\n').append("Positions ledger, class by class:\n").append(r.detail());
        }
        return out.toString();
    }
}
