package dev.inventoryledger.kafka.internal.feed;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the feed reads each partition: where it starts (stored offsets, else its beginning or its end) and,
 * per partition, the next offset to read, every record before it applied or dead-lettered.
 *
 * <p>Threads: {@link #startFrom} is called before the feed's thread starts (its {@code Thread.start()} orders
 * the write before every read); {@link #assignAndPosition} and {@link #applied} run on the feed's thread only;
 * {@link #snapshot()} may be called from any thread.
 */
public final class FeedPositions {
    private final boolean fromBeginning;
    /** Stored offsets to resume at, or null; written before the feed's thread starts, read by it. */
    private Map<TopicPartition, Long> startOffsets;
    /** Next offset per partition: written by the feed's thread only, read by any (a concurrent map). */
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();

    /**
     * @param fromBeginning without stored offsets: true to read everything the topics still hold, false for
     *                      only what is written after the start
     * @param startOffsets  stored offsets to resume at (a partition not named starts at its beginning), or null
     */
    public FeedPositions(boolean fromBeginning, Map<TopicPartition, Long> startOffsets) {
        this.fromBeginning = fromBeginning;
        this.startOffsets = startOffsets == null ? null : Map.copyOf(startOffsets);
    }

    /** Resume at these offsets (a restored checkpoint's) instead of those given at construction. */
    public void startFrom(Map<TopicPartition, Long> offsets) {
        this.startOffsets = Map.copyOf(offsets);
    }

    /**
     * Assigns every partition in {@code all} and positions those not yet assigned: at the start offsets, or
     * the start position; once the feed has partitions, one added later starts at its beginning (every record
     * on it is new). Resolves the positions before it returns.
     */
    public void assignAndPosition(Consumer<byte[], byte[]> consumer, List<TopicPartition> all) {
        Set<TopicPartition> had = Set.copyOf(consumer.assignment());
        List<TopicPartition> added = new ArrayList<>();
        for (TopicPartition tp : all) {
            if (!had.contains(tp)) {
                added.add(tp);
            }
        }
        consumer.assign(all);
        if (!had.isEmpty()) {
            consumer.seekToBeginning(added);
        } else if (startOffsets != null) {
            for (TopicPartition tp : added) {
                Long offset = startOffsets.get(tp);
                if (offset != null) {
                    consumer.seek(tp, offset);
                } else {
                    consumer.seekToBeginning(List.of(tp)); // a partition the checkpoint never saw: all of it is new
                }
            }
        } else if (fromBeginning) {
            consumer.seekToBeginning(added);
        } else {
            consumer.seekToEnd(added);
        }
        for (TopicPartition tp : added) {
            applied.put(tp, consumer.position(tp)); // resolves lazy seeks now, so start() returns positioned
        }
    }

    /** Every record of {@code partition} before {@code next} has been taken. Feed thread only. */
    public void applied(TopicPartition partition, long next) {
        applied.put(partition, next);
    }

    /** Per partition, the next offset to read; a copy. */
    public Map<TopicPartition, Long> snapshot() {
        return Map.copyOf(applied);
    }
}
