package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How long a checkpoint takes to write and to restore, one shot at a time, for a ledger of
 * {@code products × warehouses} positions remembering {@code identitiesPerProduct} identities per product (that
 * many events each, within the default horizon)
 * (defaults: 100,000 × 10 = 1M positions and 10M identities). The checkpoint's size is printed in setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class CheckpointBenchmark {
    @Param("100000")
    public int products;
    @Param("10")
    public int warehouses;
    @Param("100")
    public int identitiesPerProduct;

    private Path dir, written, toRestore;
    private InventoryLedger ledger;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        ledger = InventoryLedger.builder().build();
        Instant t = Instant.parse("2026-11-25T10:00:00Z");
        for (int p = 0; p < products; p++) {
            String product = "SKU-" + p;
            for (int i = 0; i < identitiesPerProduct; i++) { // receipts first touch every position, then orders
                String warehouse = "WH-" + (i % warehouses);
                ledger.apply(i < warehouses
                        ? InventoryEvent.stockReceived("RCPT-" + p + "-" + i, product, warehouse, 1_000, t)
                        : InventoryEvent.orderPlaced("ORD-" + p + "-" + i, product, warehouse, 1, t.plusSeconds(i)));
            }
        }
        dir = Files.createTempDirectory("checkpoint-bench");
        written = dir.resolve("written.ckpt");
        toRestore = dir.resolve("restore.ckpt");
        long bytes = ledger.checkpoint(toRestore);
        System.out.printf("%n[checkpoint] %,d positions, %,d identities: %,d bytes (%.1f MiB)%n",
                (long) products * warehouses, ledger.rememberedIdentities(), bytes, bytes / 1048576.0);
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** Writes the whole state: copy under the products' read locks, then temp file, fsync, rename. */
    @Benchmark
    public long checkpoint() throws IOException {
        return ledger.checkpoint(written);
    }

    /** Reads, verifies and loads the whole state into a new ledger. */
    @Benchmark
    public InventoryLedger restore() throws IOException {
        InventoryLedger restored = InventoryLedger.builder().build();
        restored.restore(toRestore);
        return restored;
    }
}
