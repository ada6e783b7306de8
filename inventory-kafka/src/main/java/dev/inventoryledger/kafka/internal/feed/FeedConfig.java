package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A feed's settings, as its builder checked them: what {@link FeedCycle} is made from.
 *
 * @param ledger                 the ledger every record is applied to
 * @param clients                every Kafka client the feed makes
 * @param kindByTopic            the topics read, with the kind of event each carries, in reading order
 * @param deadLetterTopic        where refused records go
 * @param fromBeginning          without stored offsets: read the whole history (else only what comes)
 * @param fromLogStart           with fromBeginning: accept a log that no longer starts at 0 (opted in)
 * @param startOffsets           offsets to resume at, or null
 * @param maxRecordBytes         larger records are refused unread
 * @param partitionCheckInterval how often to look for added partitions
 * @param checkpointFile         the checkpoint, or null for none
 * @param checkpointInterval     how often to checkpoint while running
 * @param registry               where the meters go, or null for none
 * @param brokerTimeout          how long the feed goes on without an answer from a broker before it fails
 * @param clock                  the wall clock that stamps the last applied record
 * @param gate                   what stands between the records and the ledger (the fencing gate for a plain feed)
 * @param snapshots              the shared snapshots' settings, or null for none
 */
public record FeedConfig(InventoryLedger ledger, KafkaClients clients, Map<String, EventKind> kindByTopic,
                         String deadLetterTopic, boolean fromBeginning, boolean fromLogStart, Map<TopicPartition, Long> startOffsets,
                         int maxRecordBytes, Duration partitionCheckInterval, Path checkpointFile,
                         Duration checkpointInterval, MeterRegistry registry, Duration brokerTimeout, Clock clock,
                         RecordGate gate, FeedSnapshots.Settings snapshots) {
    /** Checks what is required; copies the maps. */
    public FeedConfig {
        Objects.requireNonNull(ledger, "ledger must be set");
        Objects.requireNonNull(clients, "clients");
        kindByTopic = Collections.unmodifiableMap(new LinkedHashMap<>(kindByTopic));
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        startOffsets = startOffsets == null ? null : Map.copyOf(startOffsets);
        Objects.requireNonNull(partitionCheckInterval, "partitionCheckInterval");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(brokerTimeout, "brokerTimeout");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(gate, "gate");
    }
}
