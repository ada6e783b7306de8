package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link CrashRecoveryTest} kills: a ledger fed from Kafka, checkpointing to a file, in a JVM of
 * its own so that a SIGKILL stops it at a random instruction, mid-write included.
 *
 * <p>Arguments: {@code bootstrapServers checkpointFile checkpointIntervalMillis expectedRecords orders
 * cancellations returns receipts reservations deadLetters}. With {@code expectedRecords} &lt; 0 it runs until
 * killed; otherwise it waits until the feed has read that many records, closes the feed (which writes the
 * final checkpoint) and exits 0. Prints {@code READY <offset sum>} once the feed has started and
 * {@code DONE <offset sum>} before a clean exit; any other ending exits non-zero with the reason printed.
 * It exits by itself when its standard input closes (the test's JVM died) or after two minutes, so that a
 * broken test leaves no process behind.
 */
final class CrashChild {
    static final int TIMED_OUT = 4, FEED_FAILED = 3, TOO_MANY_RECORDS = 5, NOT_STOPPED = 6, ORPHANED = 7;
    private static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(2);

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        long begun = System.nanoTime();
        if (args.length != 10) {
            throw new IllegalArgumentException("expected 10 arguments but got " + args.length);
        }
        Path checkpoint = Path.of(args[1]);
        long expected = Long.parseLong(args[3]);
        Orphans.exitWhenTheTestIsGone(ORPHANED);

        // Redeliveries are recognised by identities counted in READ order, which while catching up interleaves
        // the five topics' partitions unevenly (see KafkaInventoryFeed's class comment): 4,096 per product keeps
        // every redelivery of this stream within reach, and is still below the ~6,000 events each product gets,
        // so a resume at the wrong offsets would still count history twice and fail the test.
        InventoryLedger ledger = InventoryLedger.builder().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaInventoryFeed feed = KafkaInventoryFeed.builder().bootstrapServers(args[0]).ledger(ledger)
                .topic(EventKind.ORDER_PLACED, args[4])
                .topic(EventKind.ORDER_CANCELLED, args[5])
                .topic(EventKind.RETURN_RECEIVED, args[6])
                .topic(EventKind.STOCK_RECEIVED, args[7])
                .topic(EventKind.RESERVATION_HELD, args[8])
                .deadLetterTopic(args[9])
                .checkpoint(checkpoint)
                .checkpointInterval(Duration.ofMillis(Long.parseLong(args[2])))
                .startFrom(KafkaInventoryFeed.Start.EARLIEST) // the checkpoint, once there is one, wins
                // Smaller fetches interleave the partitions finely while catching up after a restart, so a
                // redelivery is read soon after its original, as it is when the feed keeps up: the stream's
                // redeliveries then stay within the ledger's memory of identities whatever the interleaving.
                .clientProperty("max.partition.fetch.bytes", 64 * 1024)
                .meterRegistry(registry)
                .build();
        feed.start();
        System.out.println("READY " + sum(feed.appliedOffsets()) + " restored positions=" + ledger.positions().size()
                + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun) + " ms");
        long nextReport = System.nanoTime();
        while (expected < 0 || sum(feed.appliedOffsets()) < expected) {
            if (System.nanoTime() - nextReport >= 0) {
                nextReport += TimeUnit.MILLISECONDS.toNanos(250);
                System.out.println("at " + sum(feed.appliedOffsets()) + ", checkpoints written "
                        + count(registry, "inventory.feed.checkpoints", "written") + ", "
                        + (java.nio.file.Files.exists(checkpoint) ? java.nio.file.Files.size(checkpoint) : 0) + " bytes");
            }
            if (feed.failure() != null) {
                System.out.println("FEED FAILED");
                feed.failure().printStackTrace(System.out);
                System.exit(FEED_FAILED);
            }
            if (System.nanoTime() - begun > LIFETIME_NANOS) {
                System.out.println("TIMED OUT at offset sum " + sum(feed.appliedOffsets()) + " of " + expected);
                System.exit(TIMED_OUT);
            }
            Thread.sleep(5); // a bounded poll of the feed's progress
        }
        feed.close(); // writes the final checkpoint
        long read = sum(feed.appliedOffsets());
        System.out.println("checkpoints written=" + count(registry, "inventory.feed.checkpoints", "written")
                + " failed=" + count(registry, "inventory.feed.checkpoints", "failed")
                + "; records applied=" + count(registry, "inventory.feed.records", "applied")
                + " duplicate=" + count(registry, "inventory.feed.records", "duplicate")
                + " conflict=" + count(registry, "inventory.feed.records", "conflict")
                + " dead_lettered=" + count(registry, "inventory.feed.records", "dead_lettered"));
        if (feed.isRunning() || feed.failure() != null) {
            System.out.println("the feed did not stop cleanly: running=" + feed.isRunning() + " failure=" + feed.failure());
            System.exit(NOT_STOPPED);
        }
        if (read != expected) {
            System.out.println("read " + read + " records but " + expected + " were published");
            System.exit(TOO_MANY_RECORDS);
        }
        System.out.println("DONE " + read + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun) + " ms");
        System.exit(0);
    }

    static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long count(SimpleMeterRegistry registry, String name, String outcome) {
        var c = registry.find(name).tag("outcome", outcome).counter();
        return c == null ? 0 : (long) c.count();
    }
}
