package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.internal.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The fencing rule, record by record, and across a checkpoint. */
class FencingGateTest {
    private static long offset;

    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, byte[] value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(ClusterHeaders.header(headers[i], headers[i + 1]));
        }
        return new ConsumerRecord<>(topic, partition, offset++, 0L, TimestampType.CREATE_TIME, 0, 0, null, value, h,
                Optional.empty());
    }

    private static byte[] held() {
        return EventCodec.encode(InventoryEvent.reservationHeld("r", "P", "W", 1, Instant.parse("2026-12-01T00:00:00Z")));
    }

    @Test
    void aDecisionBelowThePartitionsLastClaimIsSkippedAndPlainEventsAlwaysCount() {
        FencingGate gate = new FencingGate();
        assertThat(gate.admit(record("reservations", 0, held()))).as("plain event").isTrue();
        assertThat(gate.admit(record("reservations", 0, held(), ClusterHeaders.EPOCH, "3"))).as("no claim yet").isTrue();
        assertThat(gate.admit(record("reservations", 0, null, ClusterHeaders.CLAIM, "5", ClusterHeaders.OWNER, "b/1")))
                .as("a claim is read, not applied").isFalse();
        assertThat(gate.admit(record("reservations", 0, held(), ClusterHeaders.EPOCH, "3"))).as("fenced").isFalse();
        assertThat(gate.admit(record("reservations", 1, held(), ClusterHeaders.EPOCH, "3"))).as("other partition")
                .isTrue();
        assertThat(gate.admit(record("orders", 0, held(), ClusterHeaders.EPOCH, "3"))).as("other topic").isTrue();
        assertThat(gate.admit(record("reservations", 0, held(), ClusterHeaders.EPOCH, "5"))).as("the owner's").isTrue();
        assertThat(gate.admit(record("reservations", 0, null, ClusterHeaders.EPOCH, "5"))).as("an answer").isFalse();
        assertThat(gate.admit(record("reservations", 0, null, ClusterHeaders.CLAIM, "4"))).isFalse();
        assertThat(gate.admit(record("reservations", 0, held(), ClusterHeaders.EPOCH, "4")))
                .as("a stale claim lowers nothing").isFalse();
        assertThat(gate.fenced()).isEqualTo(2);
    }

    @Test
    void theClaimsSurviveACheckpoint() {
        FencingGate before = new FencingGate();
        before.admit(record("reservations", 2, null, ClusterHeaders.CLAIM, "7"));
        FencingGate after = new FencingGate();
        java.util.Map<String, Long> stored = new java.util.HashMap<>(before.checkpointState());
        stored.put("reservations:2", 10L); // the offsets stored beside it are left alone
        after.restoreState(stored);
        assertThat(after.admit(record("reservations", 2, held(), ClusterHeaders.EPOCH, "6"))).isFalse();
        assertThat(after.admit(record("reservations", 2, held(), ClusterHeaders.EPOCH, "7"))).isTrue();
    }
}
