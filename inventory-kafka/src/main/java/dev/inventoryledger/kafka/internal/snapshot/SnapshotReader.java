package dev.inventoryledger.kafka.internal.snapshot;

import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.kafka.internal.feed.RecordGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Finds the newest whole snapshot of each partition on the snapshot topic: reads the topic from its beginning
 * to the end it has when asked (compacted or not: every manifest still there is a candidate, newest first), and
 * takes, per partition, the newest manifest whose chunks are all there, all of its own snapshot, whose bytes
 * match its length and checksum and parse as a checkpoint, and which no fenced owner wrote (an owner's snapshot
 * whose epoch is below a claim it holds itself was written after its successor claimed the partition).
 *
 * <p>Not thread-safe; one read per instance.
 */
public final class SnapshotReader {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReader.class);
    private static final Duration POLL = Duration.ofMillis(100);

    /** A snapshot found whole: its manifest and its state. */
    public record Found(SnapshotLayout.Manifest manifest, CheckpointFile.Contents contents) {
    }

    /** What a read found: per partition the newest whole snapshot, and the newest manifest of each partition. */
    public record Read(Map<Integer, Found> whole, Map<Integer, SnapshotLayout.Manifest> newest, long records,
                       long bytes) {
    }

    private final String topic;

    public SnapshotReader(String topic) {
        this.topic = topic;
    }

    /**
     * Reads the topic with this consumer (assigned here; the caller closes it).
     *
     * @throws IllegalStateException if the topic cannot be read within the timeout
     */
    public Read read(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("snapshot topic " + topic + " has no partitions");
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
        Map<Integer, List<SnapshotLayout.Manifest>> manifests = new HashMap<>(); // log order
        Map<String, byte[]> chunks = new HashMap<>(); // newest value per key
        long records = 0, bytes = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        while (!end.isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("could not read the snapshot topic " + topic + " within " + timeout
                        + "; still to read: " + end);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                Long last = end.get(new TopicPartition(r.topic(), r.partition()));
                if (last == null || r.offset() >= last || r.key() == null) {
                    continue;
                }
                records++;
                String key = SnapshotLayout.text(r.key());
                int p = SnapshotLayout.manifestPartition(key);
                if (p >= 0 && r.value() == null) {
                    manifests.remove(p); // a tombstone: what compaction will leave is no manifest at all
                } else if (p >= 0) {
                    SnapshotLayout.Manifest m = SnapshotLayout.Manifest.decode(p, r.value());
                    if (m != null) {
                        manifests.computeIfAbsent(p, k -> new ArrayList<>()).add(m);
                    }
                } else if (key.startsWith("c/")) {
                    if (r.value() == null) {
                        chunks.remove(key);
                    } else {
                        chunks.put(key, r.value());
                        bytes += r.value().length;
                    }
                }
            }
            end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        Map<Integer, Found> whole = new HashMap<>();
        Map<Integer, SnapshotLayout.Manifest> newest = new HashMap<>();
        manifests.forEach((p, candidates) -> {
            newest.put(p, candidates.get(candidates.size() - 1));
            for (int i = candidates.size() - 1; i >= 0; i--) {
                Found f = verify(candidates.get(i), chunks);
                if (f != null) {
                    whole.put(p, f);
                    break;
                }
            }
        });
        return new Read(whole, newest, records, bytes);
    }

    /** The snapshot, if the manifest's chunks make it whole and no fenced owner wrote it; else null (logged). */
    static Found verify(SnapshotLayout.Manifest m, Map<String, byte[]> chunks) {
        byte[] all = new byte[Math.toIntExact(m.bytes())];
        int at = 0;
        for (int n = 0; n < m.chunks(); n++) {
            byte[] value = chunks.get(m.chunkKey(n));
            SnapshotLayout.Chunk c = value == null ? null : SnapshotLayout.Chunk.decode(value);
            if (c == null || !c.snapshotId().equals(m.snapshotId()) || c.n() != n
                    || at + c.bytes().length > all.length) {
                LOG.info("snapshot {} of partition {} is not whole (chunk {} missing or of another snapshot): "
                        + "an older one is used", m.snapshotId(), m.partition(), n);
                return null;
            }
            System.arraycopy(c.bytes(), 0, all, at, c.bytes().length);
            at += c.bytes().length;
        }
        CRC32C crc = new CRC32C();
        crc.update(all);
        if (at != all.length || (int) crc.getValue() != m.crc()) {
            LOG.warn("snapshot {} of partition {} does not match its manifest's length or checksum: not used",
                    m.snapshotId(), m.partition());
            return null;
        }
        CheckpointFile.Contents contents;
        try {
            contents = CheckpointFile.read(all, "snapshot " + m.snapshotId() + " of partition " + m.partition());
        } catch (IOException corrupt) {
            LOG.warn("{}: not used", corrupt.getMessage());
            return null;
        }
        long claimed = highestClaim(contents, m.partition());
        if (m.epoch() >= 0 && m.epoch() < claimed) {
            LOG.warn("snapshot {} of partition {} was written by an owner at epoch {} after the claim at epoch {}: "
                    + "a fenced owner's snapshot is never used", m.snapshotId(), m.partition(), m.epoch(), claimed);
            return null;
        }
        return new Found(m, contents);
    }

    /** The highest owner's claim on the partition that the state holds, or −1. */
    static long highestClaim(CheckpointFile.Contents contents, int partition) {
        long highest = -1;
        String prefix = RecordGate.STATE_KEY + "claim|" + partition + "|";
        for (Map.Entry<String, Long> e : contents.offsets().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                highest = Math.max(highest, e.getValue());
            }
        }
        return highest;
    }
}
