package dev.inventoryledger.bench;

import dev.inventoryledger.bench.MemoryFootprint.Method;
import dev.inventoryledger.bench.MemoryFootprint.Report;
import dev.inventoryledger.bench.MemoryFootprint.Row;
import dev.inventoryledger.bench.MemoryFootprint.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The memory measurement, tiny (JOL sizes are exact, so the figures are the same on every run of one JVM
 * configuration). The real run is in BENCHMARKS.md.
 */
class MemoryFootprintTest {
    private static final Settings TINY = new Settings(200, 10, 20_000, List.of(1_000, 100), Method.JOL, false);

    @Test
    void ledgerKeepsPositionsAndIdentitiesInLessMemoryThanTheNaiveMaps() {
        Report report = MemoryFootprint.measure(TINY);

        assertThat(report.rows()).extracting(Row::kind)
                .containsExactly("positions", "positions", "identities", "identities", "identities");
        Row ledgerPositions = report.rows().get(0), naivePositions = report.rows().get(1);
        Row ledgerIdentities = report.rows().get(2), boundedIdentities = report.rows().get(3);
        Row naiveIdentities = report.rows().get(4);

        assertThat(ledgerPositions.count()).isEqualTo(2_000);
        assertThat(naivePositions.count()).isEqualTo(2_000);
        // a position is at least its counters (4 longs + a reference + header); the README says about 80 bytes
        assertThat(ledgerPositions.bytesEach()).isBetween(48.0, 120.0).isLessThan(naivePositions.bytesEach());

        // 20 products × 1,000, 200 products × 100: all but the one identity per product of the baseline
        assertThat(ledgerIdentities.count()).isEqualTo(20_000 - 20);
        assertThat(boundedIdentities.count()).isEqualTo(20_000 - 200);
        assertThat(naiveIdentities.count()).isEqualTo(20_000);
        // 16 bytes of ring and 5⅓ of index at full load, more just after a table grew (the README says 22)
        assertThat(ledgerIdentities.bytesEach()).isBetween(16.0, 40.0);
        assertThat(boundedIdentities.bytesEach()).isBetween(16.0, 48.0);
        assertThat(naiveIdentities.bytesEach()).isGreaterThan(2 * ledgerIdentities.bytesEach());
    }

    @Test
    void tableNamesTheSizingAndEveryLayout() {
        String text = MemoryFootprint.format(MemoryFootprint.measure(
                new Settings(20, 10, 2_000, List.of(100), Method.JOL, true)));

        assertThat(text).contains("JOL GraphStats", "InventoryLedger (10 warehouses per product)",
                "ConcurrentHashMap<String, long[]>", "InventoryLedger, 100 per product",
                "ConcurrentHashMap.newKeySet()", "bytes each", "vs ledger", "class by class",
                "dev.inventoryledger.core.internal.Slot");
    }

    @Test
    void optionsOverrideTheDefaultsAndBadOnesAreNamed() {
        assertThat(Settings.parse("--products=1000", "--per-product", "500", "--method=heap"))
                .isEqualTo(new Settings(1_000, 10, 10_000_000, List.of(500), Method.HEAP, false));
        assertThat(Settings.parse()).isEqualTo(Settings.defaults());
        assertThatThrownBy(() -> Settings.parse("--per-product=3"))
                .hasMessage("--per-product must be between 2 and 16777216 and divide --identities (10000000) but was 3");
        assertThatThrownBy(() -> Settings.parse("--method=guess"))
                .hasMessage("--method must be one of [jol, heap] but was 'guess'");
        assertThatThrownBy(() -> Settings.parse("--detail=maybe"))
                .hasMessage("--detail must be true or false but was 'maybe'");
    }
}
