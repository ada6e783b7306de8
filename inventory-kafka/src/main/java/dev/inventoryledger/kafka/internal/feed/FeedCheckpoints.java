package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.internal.CheckpointFile;
import dev.inventoryledger.core.internal.LedgerAccess;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The feed's checkpoint file: the ledger with the offsets of exactly the records applied, stored under the
 * keys {@code topic:partition}; restored, and checked against the feed, when it starts. Without a file every
 * method does nothing. When to write is the poll cycle's business, not this class's.
 *
 * <p>Threads: {@link #restore} runs on the thread that starts the feed, before the feed's thread exists;
 * {@link #write} on the feed's thread. Immutable apart from the file it writes.
 */
public final class FeedCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(FeedCheckpoints.class);

    private final Path file;
    private final RecordGate gate; // null: no checkpoints
    private final InventoryLedger ledger;
    private final FeedMetrics metrics;

    /** @param file the checkpoint, or null for none */
    public FeedCheckpoints(Path file, InventoryLedger ledger, FeedMetrics metrics, RecordGate gate) {
        this.file = file;
        this.gate = gate;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** True if the feed keeps a checkpoint. */
    public boolean enabled() {
        return file != null;
    }

    /**
     * Reads and verifies the checkpoint, if there is one, without loading it.
     *
     * @param topics the topics the feed reads
     * @return the checkpoint's contents, or null without a checkpoint file
     * @throws IllegalStateException if the file cannot be read, or its offsets are not those of the feed's topics
     */
    public CheckpointFile.Contents read(Set<String> topics) {
        if (file == null || !Files.exists(file)) {
            return null;
        }
        CheckpointFile.Contents c;
        try {
            c = CheckpointFile.read(file);
        } catch (IOException e) {
            throw new IllegalStateException("could not restore checkpoint " + file + " (" + e.getMessage()
                    + "); to rebuild from the topics instead, move the file away and start from EARLIEST", e);
        }
        requireTopics(c.offsets(), topics);
        return c;
    }

    /**
     * Loads a checkpoint {@link #read} returned into the (new, empty) ledger, as a whole.
     *
     * @return the offsets to resume at
     * @throws IllegalStateException if the ledger already holds state
     */
    public Map<TopicPartition, Long> install(CheckpointFile.Contents c) {
        try {
            LedgerAccess.images(ledger).install(c);
        } catch (IllegalStateException used) {
            throw new IllegalStateException("could not restore checkpoint " + file + " into a ledger that "
                    + "already holds state: give the feed a new ledger, and configure it (safety stock, "
                    + "thresholds) after start(), which restores those settings too", used);
        }
        gate.restoreState(c.offsets());
        return offsetsOf(c.offsets());
    }

    private void requireTopics(Map<String, Long> stored, Set<String> topics) {
        Map<TopicPartition, Long> offsets = offsetsOf(stored);
        if (!topics.containsAll(offsets.keySet().stream().map(TopicPartition::topic).toList()) || offsets.isEmpty()) {
            // Resuming from partitions the feed does not read would replay everything onto the restored counts.
            throw new IllegalStateException("checkpoint " + file + " holds offsets " + stored.keySet()
                    + " that do not match this feed's topics " + topics + ": replaying the topics "
                    + "onto it would count events twice; restore it with the topics it was written for");
        }
    }

    /**
     * Writes the checkpoint with these offsets, which must be those of exactly the events applied (call it
     * between records). A failure is counted and logged; the previous checkpoint stays and the feed goes on.
     */
    public void write(Map<TopicPartition, Long> applied) {
        if (file == null) {
            return;
        }
        Map<String, Long> offsets = new HashMap<>(gate.checkpointState());
        applied.forEach((tp, offset) -> offsets.put(tp.topic() + ":" + tp.partition(), offset));
        gate.aroundCheckpoint(() -> {
            try {
                ledger.checkpoint(file, offsets);
                metrics.checkpoint(true);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                metrics.checkpoint(false);
                LOG.warn("could not write checkpoint {}; the previous one stays: {}", file, e.toString());
            }
        });
    }

    /** The checkpoint's source offsets ({@code topic:partition}) as partitions. */
    private static Map<TopicPartition, Long> offsetsOf(Map<String, Long> stored) {
        Map<TopicPartition, Long> out = new HashMap<>();
        stored.forEach((key, offset) -> {
            int colon = key.lastIndexOf(':');
            if (colon > 0 && !key.startsWith(RecordGate.STATE_KEY)) {
                out.put(new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1))), offset);
            }
        });
        return out;
    }
}
