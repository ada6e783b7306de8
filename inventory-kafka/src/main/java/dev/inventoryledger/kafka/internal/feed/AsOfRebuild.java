package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.AsOfReplay;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.EventCodec;
import dev.inventoryledger.kafka.internal.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit path: a new ledger rebuilt from the topics' whole history as it stands now, as of an instant,
 * through core's {@link AsOfReplay} (events at or before the instant, each applied at its own event time; the
 * clock left at the instant, so holds due by then no longer count). Records the feed would refuse are skipped
 * (they were dead-lettered when fed).
 *
 * <p>Immutable and thread-safe; each {@link #rebuild} makes its own consumer and ledger.
 */
public final class AsOfRebuild {
    private static final Duration METADATA = Duration.ofSeconds(30), POLL = Duration.ofMillis(100);

    private final KafkaClients clients;
    private final Map<String, EventKind> kindByTopic;
    private final EventCodec codec;
    private final PartitionDiscovery discovery;

    /** @param kindByTopic the topics to read, with the kind of event each carries */
    public AsOfRebuild(KafkaClients clients, Map<String, EventKind> kindByTopic, int maxRecordBytes) {
        this.clients = clients;
        this.kindByTopic = Map.copyOf(kindByTopic);
        this.codec = new EventCodec(maxRecordBytes);
        this.discovery = new PartitionDiscovery(this.kindByTopic.keySet());
    }

    /**
     * Reads every partition to the end it had when the call began and returns the ledger as of {@code asOf}.
     *
     * @param ledgerSettings settings for the rebuilt ledger; its clock is replaced by the replay's
     * @throws IllegalStateException if a topic has no partitions
     */
    public InventoryLedger rebuild(Instant asOf, InventoryLedger.Builder ledgerSettings) {
        AsOfReplay replay = AsOfReplay.asOf(asOf, ledgerSettings);
        try (KafkaConsumer<byte[], byte[]> c = clients.rebuildConsumer()) {
            List<TopicPartition> partitions = discovery.partitionsOf(c, METADATA, () -> true);
            c.assign(partitions);
            requireWholeHistory(c, partitions, asOf);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions, METADATA));
            end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            while (!end.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    Long last = end.get(new TopicPartition(r.topic(), r.partition()));
                    if (last != null && r.offset() < last) { // else written after the call began
                        applyIfDue(r, replay);
                    }
                }
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            }
        }
        return replay.finish();
    }

    /**
     * Refuses a rebuild over a history whose beginning is gone, saying how far back each truncated partition
     * still reaches (the time of its oldest record still held).
     */
    private static void requireWholeHistory(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions,
                                            Instant asOf) {
        Map<TopicPartition, Long> starts = c.beginningOffsets(partitions, METADATA);
        Map<TopicPartition, Long> truncated = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        starts.forEach((tp, start) -> {
            if (start > 0) {
                truncated.put(tp, start);
            }
        });
        if (truncated.isEmpty()) {
            return;
        }
        c.seekToBeginning(partitions); // every partition positioned: a poll may return any of them
        Map<TopicPartition, Instant> reach = oldestHeld(c, truncated.keySet());
        StringBuilder m = new StringBuilder("cannot rebuild as of " + asOf + ": the topics no longer hold the whole "
                + "history (retention or a deletion removed its beginning), so the counts would miss those events. ");
        truncated.forEach((tp, start) -> m.append(tp).append(" starts at offset ").append(start)
                .append(reach.containsKey(tp) ? ", its oldest record held written at " + reach.get(tp) : "")
                .append("; "));
        throw new IllegalStateException(m.append("an as-of rebuild needs the history from offset 0, so keep the "
                + "topics' retention as long as the audits you run reach back (" + HistoryGaps.README + ")").toString());
    }

    /** The timestamp of the oldest record still held in each partition (a short read; absent if none came). */
    private static Map<TopicPartition, Instant> oldestHeld(KafkaConsumer<byte[], byte[]> c,
                                                           java.util.Set<TopicPartition> partitions) {
        Map<TopicPartition, Instant> oldest = new HashMap<>();
        for (int i = 0; i < 30 && oldest.size() < partitions.size(); i++) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (partitions.contains(tp)) {
                    oldest.putIfAbsent(tp, Instant.ofEpochMilli(r.timestamp()));
                }
            }
        }
        return oldest;
    }

    /** Applies the record's event if it happened at or before the cut, at its own event time. */
    private void applyIfDue(ConsumerRecord<byte[], byte[]> r, AsOfReplay replay) {
        try {
            InventoryEvent e = codec.decode(kindByTopic.get(r.topic()), r.value());
            if (!replay.isAfterCut(e)) {
                replay.apply(e);
            }
        } catch (EventCodec.Refused | InvalidEventException refused) {
            // dead-lettered when it was fed; not part of the counts
        }
    }
}
