package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.kafka.StartPoint;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The messages of a replica refusing a partial history: a partition whose resume point lies below its log's
 * start (retention or a deletion removed records the state never counted), and a partition count that changed
 * under the state. One place, so that the feed at start, the feed while running, the cluster's replica and the
 * as-of rebuild say the same thing and name the same remedies.
 */
public final class HistoryGaps {
    /** The README's section on running with finite retention, for messages. */
    static final String README = "README, \"History is finite\"";

    private HistoryGaps() {
    }

    /** A partition that cannot be resumed: where it had to resume, from what, and where its log starts now. */
    public record Gap(TopicPartition partition, long needed, StartPoint.Origin origin, long logStart) {
        String describe() {
            String from = switch (origin) {
                case CHECKPOINT -> "its checkpoint's offset";
                case SNAPSHOT -> "its snapshot's offset";
                case GIVEN -> "the offset given to startFrom";
                default -> "the beginning of its history: no checkpoint or snapshot covers it";
            };
            return partition + " must resume at " + needed + " (" + from + ") but its log starts at " + logStart
                    + ": offsets " + needed + " to " + (logStart - 1) + " are gone (retention or a deletion)";
        }
    }

    /** The gaps among these resume points, given each partition's log start now. */
    public static List<Gap> find(Map<TopicPartition, Long> resume, Map<TopicPartition, StartPoint.Origin> origins,
                                 Map<TopicPartition, Long> logStarts) {
        List<Gap> gaps = new ArrayList<>();
        resume.forEach((tp, offset) -> {
            Long start = logStarts.get(tp);
            if (start != null && offset < start) {
                gaps.add(new Gap(tp, offset, origins.getOrDefault(tp, StartPoint.Origin.HISTORY_START), start));
            }
        });
        gaps.sort((a, b) -> a.partition().toString().compareTo(b.partition().toString()));
        return gaps;
    }

    /** Why a feed refuses to start over these gaps, and what to do. */
    public static IllegalStateException atStart(List<Gap> gaps) {
        StringBuilder m = new StringBuilder("the replica would be missing events and is not started: ");
        for (int i = 0; i < gaps.size(); i++) {
            m.append(i == 0 ? "" : "; ").append(gaps.get(i).describe());
        }
        return new IllegalStateException(m.append(". ").append(REMEDY).toString());
    }

    /** Why a running feed stops: the log's start moved past records it had not read yet. */
    public static IllegalStateException whileRunning(Map<TopicPartition, Long> needed, Map<TopicPartition, Long> logStarts) {
        StringBuilder m = new StringBuilder("the log start moved past records this replica had not read (retention "
                + "or a deletion while it was behind), so its counts would miss them; the feed stops: ");
        boolean first = true;
        for (Map.Entry<TopicPartition, Long> e : needed.entrySet()) {
            m.append(first ? "" : "; ").append(e.getKey()).append(" needed offset ").append(e.getValue())
                    .append(", its log starts at ").append(logStarts.getOrDefault(e.getKey(), -1L));
            first = false;
        }
        return new IllegalStateException(m.append(". ").append(REMEDY).toString());
    }

    /** Why the state and the topics no longer agree on a topic's partitions. */
    public static IllegalStateException partitionsChanged(String topic, int known, int now, String knownFrom) {
        return new IllegalStateException("topic " + topic + " has " + now + " partitions but " + knownFrom + " has "
                + known + ": a change of the partition count moves products between partitions, which breaks "
                + "per-partition snapshots, checkpoints and the co-partitioning an InventoryCluster relies on; the "
                + "feed stops. Never alter the partition count of the event topics in place: create new topics with "
                + "the new count and move to them as " + README + " describes");
    }

    private static final String REMEDY = "Remedies: start from a shared snapshot or a checkpoint whose offsets the "
            + "log still holds (write one with snapshotNow() before retention passes it, and keep retention longer "
            + "than the snapshot interval); or, adopting the library on topics whose early history is gone, start "
            + "on purpose from the log start with startFrom(Start.LOG_START) and publish opening balances ("
            + README + ")";
}
