package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.feed.FeedCycle;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * README, "History is finite": no replica is ever whole over a partial history. Retention is played by
 * {@code Admin.deleteRecords}, which moves a partition's log start exactly as retention does when it deletes
 * old segments. Every topic here has one partition, so offsets are the order of writing.
 */
class PartialHistoryTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Instant AUGUST = Instant.parse("2026-08-01T09:00:00Z");
    private static final Instant NOVEMBER = Instant.parse("2026-11-02T09:00:00Z");

    @RegisterExtension
    static final InProcessBroker broker = new InProcessBroker();

    /** The case: 100 received in August, 30 sold in November, retention then passed the receipt. */
    private TestTopics augustReceiptGoneNovemberOrdersKept() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        send(t, InventoryEvent.stockReceived("RCPT-AUG", "SKU-1", "WH-1", 100, AUGUST));
        for (int i = 0; i < 30; i++) {
            send(t, InventoryEvent.orderPlaced("ORD-" + i, "SKU-1", "WH-1", 1, NOVEMBER.plusSeconds(i)));
        }
        broker.deleteRecordsBefore(new TopicPartition(t.receipts, 0), 1);
        return t;
    }

    @Test
    void aNewReplicaFromTheBeginningRefusesToStartOnceRetentionPassedItsHistory() throws Exception {
        TestTopics t = augustReceiptGoneNovemberOrdersKept();
        InventoryLedger ledger = InventoryLedger.builder().build();
        long began = System.nanoTime();
        try (KafkaInventoryFeed feed = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            assertThatThrownBy(feed::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(t.receipts + "-0 must resume at 0 (the beginning of its history: no checkpoint or snapshot covers it)")
                    .hasMessageContaining("but its log starts at 1")
                    .hasMessageContaining("snapshot").hasMessageContaining("Start.LOG_START");
            assertThat(feed.state()).isEqualTo(FeedState.FAILED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - began)).as("refused within seconds").isLessThan(BOUND);
        assertThat(ledger.positions()).as("nothing counted from the partial history").isEmpty();
    }

    @Test
    void aShopAdoptingTheLibraryOnTruncatedTopicsMayStartFromTheLogStartOnPurpose() throws Exception {
        TestTopics t = augustReceiptGoneNovemberOrdersKept();
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.LOG_START).build()) {
            feed.start();
            assertThat(ledger.available("SKU-1", "WH-1")).as("the receipt is gone: opening balances are the shop's")
                    .isEqualTo(-30);
            KafkaInventoryFeed.Status status = feed.status();
            assertThat(status.start().get(new TopicPartition(t.receipts, 0)))
                    .isEqualTo(new StartPoint(StartPoint.Origin.LOG_START, 1, 1));
            assertThat(status.start().get(new TopicPartition(t.orders, 0)))
                    .isEqualTo(new StartPoint(StartPoint.Origin.HISTORY_START, 0, 30));
            assertThat(status.readAtStart()).isEqualTo(30);
        }
    }

    @Test
    void aCheckpointOlderThanTheRetentionRefusesToStartNamingItsOffset(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        Path file = dir.resolve("feed.ckpt");
        send(t, InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, AUGUST));
        try (KafkaInventoryFeed feed = t.feed(InventoryLedger.builder().build()).checkpoint(file)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
        } // the checkpoint now says: receipts-0 resumes at 1, orders-0 at 0
        for (int i = 0; i < 5; i++) {
            send(t, InventoryEvent.orderPlaced("ORD-" + i, "SKU-1", "WH-1", 1, NOVEMBER));
        }
        broker.deleteRecordsBefore(new TopicPartition(t.orders, 0), 3);
        InventoryLedger ledger = InventoryLedger.builder().build();
        try (KafkaInventoryFeed feed = t.feed(ledger).checkpoint(file).build()) {
            assertThatThrownBy(feed::start).hasMessageContaining(t.orders + "-0 must resume at 0 (its checkpoint's "
                    + "offset) but its log starts at 3: offsets 0 to 2 are gone");
        }
    }

    @Test
    void aRunningReplicaStopsWhenTheLogStartMovesPastRecordsItHadNotRead() throws Exception {
        TestTopics t = new TestTopics(broker, 1);
        for (int i = 0; i < 10; i++) {
            send(t, InventoryEvent.stockReceived("RCPT-" + i, "SKU-1", "WH-1", 1, AUGUST));
        }
        InventoryLedger ledger = InventoryLedger.builder().build();
        AtomicLong nanos = new AtomicLong();
        FeedCycle cycle = t.feed(ledger).startFrom(KafkaInventoryFeed.Start.EARLIEST).cycle(nanos::get);
        cycle.prepare();
        cycle.onStart(); // positioned at 0, nothing read yet: the replica is behind
        try {
            broker.deleteRecordsBefore(new TopicPartition(t.receipts, 0), 6);
            assertThatThrownBy(() -> {
                for (long deadline = System.nanoTime() + BOUND.toNanos(); System.nanoTime() < deadline; ) {
                    cycle.doWork();
                }
            }).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the log start moved past records this replica had not read")
                    .hasMessageContaining(t.receipts + "-0 needed offset 0, its log starts at 6");
            assertThat(ledger.available("SKU-1", "WH-1")).isZero();
        } finally {
            cycle.onClose();
        }
    }

    @Test
    void anAsOfRebuildRefusesAHistoryWhoseBeginningIsGoneSayingHowFarBackItReaches() throws Exception {
        TestTopics t = augustReceiptGoneNovemberOrdersKept();
        assertThatThrownBy(() -> t.feed(InventoryLedger.builder().build())
                .rebuildAsOf(NOVEMBER.plusSeconds(10), InventoryLedger.builder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot rebuild as of " + NOVEMBER.plusSeconds(10))
                .hasMessageContaining(t.receipts + "-0 starts at offset 1")
                .hasMessageNotContaining(t.orders + "-0 starts");
    }

    @Test
    void aClusterReplicaRefusesToDecideOverAPartialHistory() throws Exception {
        TestTopics t = augustReceiptGoneNovemberOrdersKept();
        String requests = t.orders + "_requests";
        broker.createTopics(1, requests);
        InventoryCluster.Builder b = InventoryCluster.builder().bootstrapServers(broker.bootstrapServers())
                .instanceId("partial-1").groupId(t.orders + "-owners").requestsTopic(requests)
                .deadLetterTopic(t.deadLetters).snapshotTopic(t.snapshots).ledger(InventoryLedger.builder().build())
                .startTimeout(BOUND);
        for (dev.inventoryledger.core.EventKind kind : dev.inventoryledger.core.EventKind.values()) {
            b.topic(kind, t.of(kind));
        }
        try (InventoryCluster cluster = b.build()) {
            assertThatThrownBy(cluster::start).hasMessageContaining(t.receipts + "-0 must resume at 0")
                    .hasMessageContaining("but its log starts at 1");
            assertThat(cluster.state()).isNotEqualTo(FeedState.LIVE);
        }
    }

    @Test
    void aCheckpointWrittenBeforeThePartitionCountChangedRefusesToStart(@TempDir Path dir) throws Exception {
        TestTopics t = new TestTopics(broker, 2);
        Path file = dir.resolve("feed.ckpt");
        send(t, InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, AUGUST));
        try (KafkaInventoryFeed feed = t.feed(InventoryLedger.builder().build()).checkpoint(file)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
        }
        broker.addPartitions(t.orders, 4);
        try (KafkaInventoryFeed feed = t.feed(InventoryLedger.builder().build()).checkpoint(file).build()) {
            assertThatThrownBy(feed::start).hasMessageContaining("topic " + t.orders + " has 4 partitions but the "
                    + "checkpoint it resumes from has 2");
        }
    }

    private static void send(TestTopics t, InventoryEvent e) throws Exception {
        broker.send(t.of(e.kind()), e.productId(), EventCodec.encode(e));
    }
}
