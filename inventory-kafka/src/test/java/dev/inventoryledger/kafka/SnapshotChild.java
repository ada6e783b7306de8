package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;

import java.util.concurrent.TimeUnit;

/**
 * The process {@link SnapshotKillTest} kills: a feed reading the topics from their beginning and writing a
 * snapshot of every partition again and again, in chunks of 1 KiB (so that a write takes long enough to be
 * caught in the middle), in a JVM of its own so that a SIGKILL stops it at a random instruction.
 *
 * <p>Arguments: {@code bootstrapServers orders cancellations returns receipts reservations deadLetters
 * snapshots}. Prints {@code SNAPSHOT n} after the n-th whole round. Exits by itself when its standard input
 * closes (the test's JVM died) or after two minutes.
 */
final class SnapshotChild {
    private SnapshotChild() {
    }

    public static void main(String[] args) throws Exception {
        long begun = System.nanoTime();
        Orphans.exitWhenTheTestIsGone(7);
        KafkaInventoryFeed feed = KafkaInventoryFeed.builder().bootstrapServers(args[0])
                .ledger(InventoryLedger.builder().build()).instanceId("snapshot-child")
                .topic(EventKind.ORDER_PLACED, args[1]).topic(EventKind.ORDER_CANCELLED, args[2])
                .topic(EventKind.RETURN_RECEIVED, args[3]).topic(EventKind.STOCK_RECEIVED, args[4])
                .topic(EventKind.RESERVATION_HELD, args[5]).deadLetterTopic(args[6]).snapshotTopic(args[7])
                .snapshotChunkBytes(1024).startFrom(KafkaInventoryFeed.Start.EARLIEST).build();
        feed.start();
        System.out.println("READY");
        for (int n = 1; System.nanoTime() - begun < TimeUnit.MINUTES.toNanos(2); n++) {
            feed.snapshotNow().get(60, TimeUnit.SECONDS);
            System.out.println("SNAPSHOT " + n);
        }
        Runtime.getRuntime().halt(4);
    }
}
