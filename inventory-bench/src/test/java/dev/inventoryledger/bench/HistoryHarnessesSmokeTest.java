package dev.inventoryledger.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harnesses of BENCHMARKS.md's "History is finite", run tiny so that none breaks unnoticed (their figures
 * mean nothing here): the capture of a partition, and the memory of a long history.
 */
class HistoryHarnessesSmokeTest {
    @Test
    void snapshotCaptureCapturesEveryProductOncePerRound() {
        List<String> lines = SnapshotCapture.run(300, 2, 3_000, 4, 2);
        assertThat(lines.get(0)).isEqualTo("600 positions, 3,600 identities, 4 partitions"); // receipts too
        assertThat(lines.subList(1, 3)).allSatisfy(l -> assertThat(l).contains("(300 products)"));
    }

    @Test
    void horizonMemoryForgetsByTheHorizonAndRetainsAHeap() {
        String line = HorizonMemory.measure(100, 2, 20_000, 10);
        assertThat(line).startsWith("200 positions, 20,000 events over 10 days").contains("by the memory bound 0")
                .containsPattern("forgotten by the horizon [1-9]");
    }
}
