package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.kafka.StartPoint;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the feed reads each partition: where it starts (stored offsets, else the beginning of the history, the
 * log's start taken on purpose, or the end) and, per partition, the next offset to read, every record before it
 * applied or dead-lettered. It refuses a start whose resume point the log no longer holds
 * ({@link HistoryGaps}): a replica is never whole over a partial history.
 *
 * <p>Threads: {@link #startFrom} is called before the feed's thread starts (its {@code Thread.start()} orders
 * the write before every read); {@link #assignAndPosition} and {@link #applied} run on the feed's thread only;
 * {@link #snapshot()} and {@link #startPoints()} may be called from any thread.
 */
public final class FeedPositions {
    private final boolean fromBeginning, fromLogStart;
    /** Stored offsets to resume at, with what each came from; written before the feed's thread starts. */
    private final Map<TopicPartition, Long> resume = new HashMap<>();
    private final Map<TopicPartition, StartPoint.Origin> origins = new HashMap<>();
    /** Next offset per partition: written by the feed's thread only, read by any (a concurrent map). */
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    /** Where each partition began, once positioned; written by the feed's thread at start, read by any. */
    private final Map<TopicPartition, StartPoint> started = new ConcurrentHashMap<>();

    /**
     * @param fromBeginning without stored offsets: true to read the whole history (refused if the log no longer
     *                      starts at 0), false for only what is written after the start
     * @param fromLogStart  with {@code fromBeginning}: accept a log that no longer starts at 0 and read from its
     *                      start (an opt-in: the history before it is gone)
     * @param givenOffsets  offsets given to the builder (a partition not named is read from its beginning, and
     *                      refused if that is gone), or null
     */
    public FeedPositions(boolean fromBeginning, boolean fromLogStart, Map<TopicPartition, Long> givenOffsets) {
        this.fromBeginning = fromBeginning;
        this.fromLogStart = fromLogStart;
        if (givenOffsets != null) {
            startFrom(givenOffsets, StartPoint.Origin.GIVEN);
        }
    }

    /** Resume these partitions at these offsets (a restored checkpoint's or snapshot's), replacing earlier ones. */
    public void startFrom(Map<TopicPartition, Long> offsets, StartPoint.Origin origin) {
        offsets.forEach((tp, offset) -> {
            resume.put(tp, offset);
            origins.put(tp, origin);
        });
    }

    /** The stored resume points so far (before the start). */
    public Map<TopicPartition, Long> resumePoints() {
        return Map.copyOf(resume);
    }

    /**
     * Assigns every partition in {@code all} and positions each: at its stored offset, else at the beginning of
     * the history (offset 0), the log's start (opted in) or the end. Resolves the positions before it returns.
     *
     * @throws IllegalStateException naming each partition whose resume point is below its log's start, with
     *                               the offsets, and the remedies; nothing is assigned then
     */
    public void assignAndPosition(Consumer<byte[], byte[]> consumer, List<TopicPartition> all, Duration timeout) {
        requireKnownPartitionCounts(all);
        Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(all, timeout);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, StartPoint.Origin> from = new HashMap<>();
        // a state was restored: a topic it does not name is new to it, and all of that topic's history counts
        boolean wholeOfNewTopics = !resume.isEmpty();
        for (TopicPartition tp : all) {
            Long stored = resume.get(tp);
            if (stored != null) {
                offsets.put(tp, stored);
                from.put(tp, origins.get(tp));
            } else if ((fromBeginning || wholeOfNewTopics) && fromLogStart) {
                offsets.put(tp, logStarts.getOrDefault(tp, 0L));
                from.put(tp, logStarts.getOrDefault(tp, 0L) > 0 ? StartPoint.Origin.LOG_START
                        : StartPoint.Origin.HISTORY_START);
            } else if (fromBeginning || wholeOfNewTopics) {
                offsets.put(tp, 0L);
                from.put(tp, StartPoint.Origin.HISTORY_START);
            }
        }
        List<HistoryGaps.Gap> gaps = HistoryGaps.find(offsets, from, logStarts);
        if (!gaps.isEmpty()) {
            throw HistoryGaps.atStart(gaps);
        }
        consumer.assign(all);
        Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
        for (TopicPartition tp : all) { // every partition sought first: a position() resolves all of them
            Long offset = offsets.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset);
            } else {
                consumer.seekToEnd(List.of(tp));
                from.put(tp, StartPoint.Origin.LATEST);
            }
        }
        for (TopicPartition tp : all) {
            long position = consumer.position(tp); // resolves lazy seeks now, so start() returns positioned
            applied.put(tp, position);
            started.put(tp, new StartPoint(from.get(tp), position, Math.max(position, ends.getOrDefault(tp, 0L))));
        }
    }

    /**
     * A restored checkpoint names partitions 0..n-1 of each topic it covers: a topic with another count now had
     * its partition count changed under it. (Snapshots carry the count themselves: see {@code FeedSnapshots}.)
     */
    private void requireKnownPartitionCounts(List<TopicPartition> all) {
        Map<String, Integer> now = countsOf(all), known = new HashMap<>();
        Map<String, StartPoint.Origin> knownFrom = new HashMap<>();
        resume.keySet().forEach(tp -> {
            if (origins.get(tp) == StartPoint.Origin.CHECKPOINT) { // a checkpoint names every partition it read
                known.merge(tp.topic(), tp.partition() + 1, Math::max);
                knownFrom.put(tp.topic(), origins.get(tp));
            }
        });
        known.forEach((topic, count) -> {
            Integer current = now.get(topic);
            if (current != null && current.intValue() != count) {
                throw HistoryGaps.partitionsChanged(topic, count, current,
                        "the " + knownFrom.get(topic).name().toLowerCase(java.util.Locale.ROOT) + " it resumes from");
            }
        });
    }

    /** Partitions per topic. */
    public static Map<String, Integer> countsOf(java.util.Collection<TopicPartition> partitions) {
        Map<String, Integer> counts = new HashMap<>();
        partitions.forEach(tp -> counts.merge(tp.topic(), 1, Integer::sum));
        return counts;
    }

    /** Every record of {@code partition} before {@code next} has been taken. Feed thread only. */
    public void applied(TopicPartition partition, long next) {
        applied.put(partition, next);
    }

    /** Per partition, the next offset to read; a copy. */
    public Map<TopicPartition, Long> snapshot() {
        return Map.copyOf(applied);
    }

    /** Where each partition began and how far it had to read (empty before the start). */
    public Map<TopicPartition, StartPoint> startPoints() {
        return Map.copyOf(started);
    }
}
