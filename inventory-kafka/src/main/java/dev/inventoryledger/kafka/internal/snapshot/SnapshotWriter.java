package dev.inventoryledger.kafka.internal.snapshot;

import dev.inventoryledger.core.internal.CheckpointFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Writes partition snapshots to the snapshot topic ({@link SnapshotLayout}): a captured state is encoded, cut
 * into chunks and sent into the next of its slots (never the one its newest manifest names); once every chunk
 * is acknowledged the manifest follows. Encoding and sending run on the writer's own thread, one snapshot at a time, so the thread
 * that captured (the feed's, between records) goes on at once.
 *
 * <p>Thread-safe: {@link #write} may be called from any thread; the slots are the writer thread's.
 */
public final class SnapshotWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);
    private static final long ACK_SECONDS = 60;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic, writer;
    private final int chunkBytes, topicPartitions;
    private final SnapshotMetrics metrics;
    private final Clock clock;
    private final ExecutorService thread;
    /** The slot each partition's last write by this writer used (writer thread, and seeded before). */
    private final Map<Integer, Integer> slots = new ConcurrentHashMap<>();
    /** Chunks written into each (partition, slot) last: more than a new snapshot's get a tombstone. */
    private final Map<Long, Integer> chunksIn = new ConcurrentHashMap<>();
    /** Writes asked for and not yet done: failed at close if they never ran. */
    private final java.util.Set<CompletableFuture<Long>> pending = ConcurrentHashMap.newKeySet();

    /**
     * @param writer          this writer's name in the chunk keys: stable across restarts (the instance id), so
     *                        compaction keeps two slots per writer
     * @param topicPartitions partitions of the snapshot topic: partition p's records go to p modulo this
     */
    public SnapshotWriter(KafkaProducer<byte[], byte[]> producer, String topic, String writer, int chunkBytes,
                          int topicPartitions, SnapshotMetrics metrics, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.writer = writer;
        this.chunkBytes = chunkBytes;
        this.topicPartitions = topicPartitions;
        this.metrics = metrics;
        this.clock = clock;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "inventory-snapshot-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Learns, from the manifests found at start, which slot each partition's newest one by this writer names. */
    public void seed(Map<Integer, SnapshotLayout.Manifest> newest) {
        newest.forEach((p, m) -> {
            if (m.writer().equals(writer)) {
                slots.put(p, m.slot());
            }
        });
    }

    /**
     * Writes a snapshot of the partition's captured state; completes with its size once its manifest is
     * acknowledged, or exceptionally (counted, logged; the previous snapshot stays the newest whole one).
     *
     * @param epoch the writing owner's epoch, or −1 for a plain replica
     */
    public CompletableFuture<Long> write(int partition, long epoch, CheckpointFile.Contents state, long capturedNanos) {
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(() -> {
            try {
                return send(partition, epoch, state, capturedNanos);
            } catch (Exception e) {
                metrics.failed();
                LOG.warn("snapshot of partition {} not written (the previous one stays): {}", partition, e.toString());
                throw new java.util.concurrent.CompletionException(e);
            }
        }, thread);
        pending.add(f);
        f.whenComplete((done, e) -> pending.remove(f));
        return f;
    }

    private long send(int partition, long epoch, CheckpointFile.Contents state, long capturedNanos) throws Exception {
        byte[] bytes = CheckpointFile.serialize(state).toByteArray();
        int slot = (slots.getOrDefault(partition, -1) + 1) % SnapshotLayout.SLOTS;
        slots.put(partition, slot); // from here the slot is spent, whatever becomes of this write
        String id = writer + "/" + UUID.randomUUID();
        byte[][] chunks = SnapshotLayout.cut(bytes, chunkBytes);
        int target = partition % topicPartitions;
        List<Future<RecordMetadata>> acks = new ArrayList<>(chunks.length + 1);
        for (int n = 0; n < chunks.length; n++) {
            acks.add(producer.send(new ProducerRecord<>(topic, target,
                    SnapshotLayout.utf8(SnapshotLayout.chunkKey(partition, writer, slot, n)),
                    new SnapshotLayout.Chunk(id, n, chunks[n]).encode())));
        }
        Integer before = chunksIn.put(key(partition, slot), chunks.length);
        for (int n = chunks.length; before != null && n < before; n++) { // fewer chunks than last time in this slot
            acks.add(producer.send(new ProducerRecord<>(topic, target,
                    SnapshotLayout.utf8(SnapshotLayout.chunkKey(partition, writer, slot, n)), null)));
        }
        for (Future<RecordMetadata> a : acks) {
            a.get(ACK_SECONDS, TimeUnit.SECONDS); // every chunk whole in the topic before the manifest names it
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        long at = clock.millis();
        Map<String, Long> offsets = new java.util.TreeMap<>(state.offsets());
        offsets.keySet().removeIf(k -> k.startsWith("gate|") || k.indexOf(':') < 0); // the sources' offsets only
        SnapshotLayout.Manifest m = new SnapshotLayout.Manifest(partition, id, writer, slot, epoch, chunks.length,
                bytes.length, (int) crc.getValue(), at, offsets);
        producer.send(new ProducerRecord<>(topic, target, SnapshotLayout.utf8(SnapshotLayout.manifestKey(partition)),
                m.encode())).get(ACK_SECONDS, TimeUnit.SECONDS);
        metrics.written(partition, bytes.length, Duration.ofNanos(System.nanoTime() - capturedNanos), at);
        return (long) bytes.length;
    }

    private static long key(int partition, int slot) {
        return ((long) partition << 2) | slot;
    }

    /** Finishes the snapshot under way (within the timeout) and closes the producer. */
    public void close(Duration timeout) {
        thread.shutdown();
        try {
            thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
        IllegalStateException closed = new IllegalStateException("the snapshot writer closed before this write");
        List.copyOf(pending).forEach(f -> f.completeExceptionally(closed));
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
