package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * How long a writer waits while a checkpoint is taken: a thread applies events in a loop and records the
 * longest gap between two of its applies while the main thread checkpoints a ledger of 1M positions and
 * 10M identities. Run: {@code java -Xmx6g -cp inventory-bench/target/benchmarks.jar
 * dev.inventoryledger.bench.CheckpointStall [products] [rounds]}.
 */
public final class CheckpointStall {
    private static volatile boolean writing;

    private CheckpointStall() {
    }

    public static void main(String[] args) throws Exception {
        int products = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        InventoryLedger ledger = InventoryLedger.builder().build();
        Instant t = Instant.parse("2026-11-25T10:00:00Z");
        for (int p = 0; p < products; p++) {
            for (int i = 0; i < 100; i++) {
                ledger.apply(i < 10 ? InventoryEvent.stockReceived("R-" + p + "-" + i, "SKU-" + p, "WH-" + i, 1_000, t)
                        : InventoryEvent.orderPlaced("O-" + p + "-" + i, "SKU-" + p, "WH-" + (i % 10), 1, t));
            }
        }
        Path file = Files.createTempDirectory("checkpoint-stall").resolve("ledger.ckpt");
        for (int round = 0; round < rounds; round++) {
            long[] longestGap = {0};
            writing = true;
            Thread writer = new Thread(() -> {
                long last = System.nanoTime();
                for (int n = 0; writing; n++) {
                    ledger.apply(InventoryEvent.stockReceived("X-" + n, "SKU-" + (n % products), "WH-1", 1, t));
                    long now = System.nanoTime();
                    longestGap[0] = Math.max(longestGap[0], now - last);
                    last = now;
                }
            });
            writer.start();
            Thread.sleep(300);
            long begun = System.nanoTime();
            long bytes = ledger.checkpoint(file);
            long took = System.nanoTime() - begun;
            Thread.sleep(300);
            writing = false;
            writer.join();
            System.out.printf("checkpoint of %,d bytes in %d ms; longest writer stall %d ms%n", bytes,
                    took / 1_000_000, longestGap[0] / 1_000_000);
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }
}
