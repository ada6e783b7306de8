package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.kafka.InventoryTopics;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import dev.inventoryledger.kafka.internal.EventCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Time to ready of a new instance with no disk, against the length of the history, with and without the
 * shared snapshots (README, "History is finite"), on a broker in this JVM: a store of {@code --products} ×
 * {@code --warehouses} positions (default 500,000 × 2 = 1M), one receipt each, then orders (50%), receipts
 * (40%) and cancellations (10%) at random positions, {@value #DAYS_PER_100M} days of event time per 100M
 * events. A writer feed follows the history; at each length in {@code --histories} (default 1M, 10M, 50M) it
 * writes a snapshot of every partition ({@code snapshotNow()}), {@code --tail} more events follow (default
 * 100,000), and a new feed with an empty ledger starts from the beginning: once with the snapshots, once
 * without ({@code snapshots(false)}: the whole log). Each is checked against the writer's counts. Printed per
 * length: time to ready and records read at start, both ways; the snapshot's bytes in the topic, per position;
 * how long each partition was held still for its capture (the feed's apply paused), the longest and the sum;
 * the time to write them all.
 *
 * <p>Run: {@code java -Xmx10g -cp inventory-bench/target/benchmarks.jar dev.inventoryledger.bench.kafka.SnapshotStart
 * [--products=500000] [--warehouses=2] [--histories=1000000,10000000,50000000] [--tail=100000] [--partitions=8]}.
 */
public final class SnapshotStart {
    static final int DAYS_PER_100M = 10;
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final String P = "ss_";

    private SnapshotStart() {
    }

    public static void main(String[] args) throws Exception {
        dev.inventoryledger.bench.Flags o = dev.inventoryledger.bench.Flags.parse(args,
                java.util.Set.of("products", "warehouses", "partitions", "tail", "histories"));
        int products = o.integer("products", 500_000);
        int warehouses = o.integer("warehouses", 2);
        int partitions = o.integer("partitions", 8);
        long tail = o.longValue("tail", 100_000);
        List<Long> histories = new ArrayList<>();
        for (String h : o.text("histories", "1000000,10000000,50000000").split(",")) {
            histories.add(Long.parseLong(h.trim()));
        }
        run(products, warehouses, partitions, tail, histories);
    }

    static List<String> run(int products, int warehouses, int partitions, long tail, List<Long> histories)
            throws Exception {
        List<String> rows = new ArrayList<>();
        try (InProcessKafka kafka = InProcessKafka.start()) {
            String servers = kafka.bootstrapServers();
            InventoryTopics.builder().bootstrapServers(servers).partitions(partitions).replicationFactor((short) 1)
                    .retention(null).build().create(); // default names
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            InventoryLedger writerLedger = InventoryLedger.builder().build();
            long positions = (long) products * warehouses;
            Shop shop = new Shop(servers, products, warehouses);
            try (KafkaInventoryFeed writer = KafkaInventoryFeed.builder().bootstrapServers(servers)
                    .ledger(writerLedger).startFrom(KafkaInventoryFeed.Start.EARLIEST).meterRegistry(registry)
                    .instanceId("writer").build()) {
                writer.start();
                System.out.printf(Locale.ROOT, "%,d positions over %d partitions, %d days of event time per 100M "
                        + "events, a tail of %,d after each snapshot%n", positions, partitions, DAYS_PER_100M, tail);
                for (long history : histories) {
                    shop.publishUpTo(history);
                    awaitRead(kafka, writer);
                    Timer pause = registry.get("inventory.snapshot.pause").timer();
                    long pauses = pause.count();
                    double pauseSum = pause.totalTime(TimeUnit.MILLISECONDS);
                    double bytes0 = registry.get("inventory.snapshot.bytes").counter().count();
                    long t0 = System.nanoTime();
                    writer.snapshotNow().get(10, TimeUnit.MINUTES);
                    double writeSeconds = (System.nanoTime() - t0) / 1e9;
                    double bytes = registry.get("inventory.snapshot.bytes").counter().count() - bytes0;
                    double pausedSum = pause.totalTime(TimeUnit.MILLISECONDS) - pauseSum;
                    double pausedMax = pause.max(TimeUnit.MILLISECONDS);
                    shop.publishUpTo(history + tail);
                    awaitRead(kafka, writer);
                    Start with = start(servers, true, writerLedger);
                    Start without = start(servers, false, writerLedger);
                    String row = String.format(Locale.ROOT, "history %,d events: ready with snapshots in %.1f s "
                                    + "(read %,d records), without in %.1f s (read %,d); snapshot %,.0f bytes "
                                    + "(%.1f per position, %,d identities), written in %.1f s; partitions held "
                                    + "still %,d times, longest %.0f ms, %.0f ms in all",
                            history + tail, with.seconds, with.read, without.seconds, without.read, bytes,
                            bytes / positions, writerLedger.rememberedIdentities(), writeSeconds,
                            pause.count() - pauses, pausedMax, pausedSum);
                    System.out.println(row);
                    rows.add(row);
                }
            }
            shop.close();
        }
        return rows;
    }

    private record Start(double seconds, long read) {
    }

    /** A new instance with an empty ledger, from the beginning; checked against the writer's counts. */
    private static Start start(String servers, boolean snapshots, InventoryLedger expected) {
        InventoryLedger fresh = InventoryLedger.builder().build();
        long t0 = System.nanoTime();
        try (KafkaInventoryFeed feed = KafkaInventoryFeed.builder().bootstrapServers(servers).ledger(fresh)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).snapshots(snapshots).instanceId("new")
                .startTimeout(Duration.ofMinutes(30)).build()) {
            feed.start();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long read = feed.status().readAtStart();
            if (checksum(fresh) != checksum(expected)) {
                throw new IllegalStateException("the new instance (snapshots " + snapshots + ") does not agree with"
                        + " the writer: " + checksum(fresh) + " against " + checksum(expected));
            }
            return new Start(seconds, read);
        }
    }

    private static long checksum(InventoryLedger ledger) {
        long sum = 0;
        for (Position p : ledger.positions()) {
            sum += p.available() * 31 + p.held() + (p.productId().hashCode() ^ p.warehouseId().hashCode());
        }
        return sum + ledger.positions().size();
    }

    private static void awaitRead(InProcessKafka kafka, KafkaInventoryFeed feed) throws InterruptedException {
        List<String> topics = List.of("orders", "order_cancellations", "returns", "warehouse_receipts", "reservations");
        Map<TopicPartition, Long> ends = kafka.endOffsets(topics);
        while (!ends.entrySet().stream().allMatch(e -> feed.appliedOffsets().getOrDefault(e.getKey(), 0L)
                >= e.getValue())) {
            Thread.sleep(50);
        }
    }

    /** The shop's history, published in order: one receipt per position first, then the mix. */
    private static final class Shop implements AutoCloseable {
        final KafkaProducer<byte[], byte[]> producer;
        final int products, warehouses;
        final SplittableRandom random = new SplittableRandom(7);
        final long nanosPerEvent = TimeUnit.DAYS.toNanos(DAYS_PER_100M) / 100_000_000L;
        long total;

        Shop(String servers, int products, int warehouses) {
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(),
                    new ByteArraySerializer());
            this.products = products;
            this.warehouses = warehouses;
        }

        void publishUpTo(long target) {
            long positions = (long) products * warehouses;
            long t0 = System.nanoTime(), from = total;
            for (; total < target; total++) {
                long i = total;
                Instant at = T0.plusNanos(i * nanosPerEvent);
                InventoryEvent e;
                if (i < positions) {
                    e = InventoryEvent.stockReceived("R-" + i, product((int) (i / warehouses)), "WH-" + i % warehouses,
                            1_000, at);
                } else {
                    String product = product(random.nextInt(products)), warehouse = "WH-" + random.nextInt(warehouses);
                    int k = random.nextInt(10);
                    e = k < 5 ? InventoryEvent.orderPlaced("O-" + i, product, warehouse, 1, at)
                            : k < 9 ? InventoryEvent.stockReceived("R-" + i, product, warehouse, 1, at)
                            : InventoryEvent.orderCancelled("O-" + (i - 1 - random.nextInt(1000)), product, warehouse, 1,
                            at);
                }
                producer.send(new ProducerRecord<>(e.kind().defaultTopic(), e.productId().getBytes(StandardCharsets.UTF_8),
                        EventCodec.encode(e)));
            }
            producer.flush();
            if (total > from) {
                System.out.printf(Locale.ROOT, "  published %,d events (to %,d) in %.0f s%n", total - from, total,
                        (System.nanoTime() - t0) / 1e9);
            }
        }

        private static String product(int p) {
            return "SKU-" + (1_000_000 + p);
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
