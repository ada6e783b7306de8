package dev.inventoryledger.bench;

import dev.inventoryledger.bench.FlashSaleOversell.Buyer;
import dev.inventoryledger.bench.FlashSaleOversell.Report;
import dev.inventoryledger.bench.FlashSaleOversell.Settings;
import dev.inventoryledger.bench.FlashSaleOversell.Walkaway;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The flash-sale simulation, small. Every buyer arrives within the first refresh period (the view is refreshed
 * 10 minutes after the opening, long after the sale ends), so in (a) every buyer who would pay sees the opening
 * stock and orders: the oversell is exact, whatever the machine's speed. (b) must oversell nothing.
 */
class FlashSaleOversellTest {
    private static final Settings SMALL = new Settings(100, 400, 200, 600_000, 5, 0.2, 100, 16, 7);

    @Test
    void staleViewOversellsByTheWholeExcessDemandWhileTheLedgerOversellsNothing() throws Exception {
        long payingDemand = FlashSaleOversell.arrivals(SMALL).stream()
                .filter(b -> b.walkaway() == Walkaway.NONE).mapToLong(Buyer::wants).sum();

        Report report = FlashSaleOversell.run(SMALL);

        assertThat(payingDemand).isGreaterThan(SMALL.units());
        assertThat(report.liveView().viewRefreshes()).isZero();
        assertThat(report.liveView().unitsSold()).isEqualTo(payingDemand);
        assertThat(report.liveView().unitsOversold()).isEqualTo(payingDemand - SMALL.units()).isPositive();
        assertThat(report.liveView().ordersBeyondStock()).isPositive();

        assertThat(report.ledger().unitsOversold()).isZero();
        assertThat(report.ledger().ordersBeyondStock()).isZero();
        assertThat(report.ledger().unitsSold()).isPositive().isLessThanOrEqualTo(SMALL.units());
        assertThat(report.ledger().finalAvailable()).isEqualTo(SMALL.units() - report.ledger().unitsSold());
        assertThat(report.ledger().holdsAddUp()).isTrue();
    }

    @Test
    void reportPrintsBothRunsAndTheRefreshPeriod() throws Exception {
        Settings tiny = new Settings(10, 60, 50, 600_000, 0, 0.0, 100, 4, 1);

        String text = FlashSaleOversell.format(FlashSaleOversell.run(tiny));

        assertThat(text).contains("live view refreshed every", "600,000 ms", "(a) read the live view",
                "(b) tryReserve", "UNITS OVERSOLD").doesNotContain("FAIL");
    }

    @Test
    void arrivalPatternIsTheSameForTheSameSeedAndInArrivalOrder() {
        List<Buyer> once = FlashSaleOversell.arrivals(SMALL);

        assertThat(FlashSaleOversell.arrivals(SMALL)).isEqualTo(once);
        assertThat(once).hasSize(400).isSortedAccordingTo((x, y) -> Long.compare(x.arrivalNanos(), y.arrivalNanos()));
        assertThat(once).allSatisfy(b -> {
            assertThat(b.wants()).isBetween(1, 2);
            assertThat(b.arrivalNanos()).isBetween(0L, 200_000_000L);
        });
    }

    @Test
    void optionsOverrideTheDefaultsAndBadOnesAreNamed() {
        Settings s = Settings.parse("--buyers=2000", "--refresh-ms", "250", "--abandon=0.5");

        assertThat(s).isEqualTo(new Settings(100, 2_000, 3_000, 250, 20, 0.5, 250, 64, 42));
        assertThat(Settings.parse()).isEqualTo(Settings.defaults());
        assertThatThrownBy(() -> Settings.parse("--refresh-ms=0"))
                .hasMessage("--refresh-ms must be > 0 but was 0");
        assertThatThrownBy(() -> Settings.parse("--units=lots"))
                .hasMessage("--units must be an integer but was 'lots'");
        assertThatThrownBy(() -> Settings.parse("--refresh=5")).hasMessageStartingWith("unknown option --refresh");
        assertThatThrownBy(() -> Settings.parse("--abandon=2"))
                .hasMessage("--abandon must be between 0 and 1 but was 2.0");
    }
}
