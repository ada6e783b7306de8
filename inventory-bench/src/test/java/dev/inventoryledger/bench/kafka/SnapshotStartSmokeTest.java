package dev.inventoryledger.bench.kafka;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SnapshotStart}, tiny: both new instances agree with the writer (it throws otherwise) at each length. */
class SnapshotStartSmokeTest {
    @Test
    void aNewInstanceStartsFromTheSnapshotsAndAgreesWithTheWriter() throws Exception {
        List<String> rows = SnapshotStart.run(100, 2, 2, 50, List.of(500L, 1_000L));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1)).startsWith("history 1,050 events: ready with snapshots in")
                .contains("(read 50 records)").contains("without in").contains("(read 1,050)");
    }
}
