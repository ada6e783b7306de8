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
