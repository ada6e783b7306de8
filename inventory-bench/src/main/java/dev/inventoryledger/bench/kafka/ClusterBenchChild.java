package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.Fencing;
import dev.inventoryledger.kafka.InventoryCluster;

/**
 * One cluster instance in its own JVM, for {@link ClusterBench} to freeze (SIGSTOP) while it owns partitions.
 * Arguments: bootstrap servers, fencing. Prints {@code READY} once started; runs until its input closes.
 */
public final class ClusterBenchChild {
    private ClusterBenchChild() {
    }

    public static void main(String[] args) throws Exception {
        try (InventoryCluster c = InventoryCluster.builder().bootstrapServers(args[0]).instanceId("frozen")
                .fencing(Fencing.valueOf(args[1])).ledger(InventoryLedger.builder().build()).build()) {
            c.start();
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the bench closes our input (or kills us)
            }
        }
    }
}
