package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flash-sale demo, small and in process. The view of read-then-order is refreshed a minute after the
 * opening, long after the last buyer, so every buyer who pays sees the opening stock and orders: its oversell
 * is exactly the paying demand beyond the stock, whatever the machine's speed. The ledger must oversell
 * nothing, and its counts of the product must add up.
 */
class FlashSaleTest {
    private static final String[] SMALL = {"--products=200", "--warehouses=3", "--stock=50", "--buyers=1500",
            "--threads=8", "--seconds=1", "--rate=2000", "--pay-ms=20", "--hold-ttl-ms=150", "--abandon=0.3",
            "--refresh-ms", "60000", "--seed", "7"};

    @Test
    void theLedgerOversellsNothingWhileReadThenOrderOversellsThePayingDemandBeyondStock() throws Exception {
        Run run = Run.of(SMALL);
        long payingDemand = FlashSaleBuyers.arrivals(FlashSale.Settings.parse(SMALL)).stream()
                .filter(b -> b.fate() == FlashSaleBuyers.Fate.PAYS).mapToLong(FlashSaleBuyers.Buyer::wants).sum();

        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.lines()).as(run.out()).contains("oversold units: 0");

        Matcher view = run.find("read-then-order against a view refreshed every 60,000 ms: oversold units: ([\\d,]+) "
                + "\\(sold ([\\d,]+) of 50; 0 view refreshes\\)");
        assertThat(payingDemand).isGreaterThan(50);
        assertThat(number(view.group(2))).isEqualTo(payingDemand);
        assertThat(number(view.group(1))).isEqualTo(payingDemand - 50);

        Matcher counts = run.find("FLASH-1 at WH-1: stock 50 = sold ([\\d,]+) \\+ sellable ([\\d,]+) \\+ held "
                + "([\\d,]+); available ([\\d,]+)");
        long sold = number(counts.group(1));
        assertThat(sold).isPositive().isLessThanOrEqualTo(50);
        assertThat(sold + number(counts.group(2)) + number(counts.group(3))).isEqualTo(50);
        assertThat(number(counts.group(4))).isEqualTo(50 - sold);

        Matcher holds = run.find("Ledger: ([\\d,]+) holds = ([\\d,]+) confirmed \\+ ([\\d,]+) released \\+ ([\\d,]+) "
                + "lapsed \\(.*");
        assertThat(number(holds.group(1))).isEqualTo(number(holds.group(2)) + number(holds.group(3))
                + number(holds.group(4)));
        assertThat(number(holds.group(3))).as("some buyers release their hold").isPositive();
        assertThat(number(holds.group(4))).as("some buyers let it lapse").isPositive();

        Matcher table = run.find("units sold +([\\d,]+) +([\\d,]+)");
        assertThat(number(table.group(1))).isEqualTo(sold);
        assertThat(number(table.group(2))).isEqualTo(payingDemand);
        run.find("units oversold +0 +" + String.format("%,d", payingDemand - 50));
        run.find("audit\\(\\): clean \\(\\d+ positions, 0 active holds\\); store: [\\d,]+ events applied, 0 "
                + "positions below zero");
        assertThat(run.out()).doesNotContain("FAIL", "\r").contains("refreshes at a 1 s barrier by default");
        assertThat(run.lines()).as("a progress line a second, readable in a log")
                .anyMatch(l -> l.matches(" *\\d+\\.\\d s  events applied [\\d,]+  reserved [\\d,]+  rejected .*"));
    }

    @Test
    void onATerminalTheProgressLineIsRewrittenInPlaceAndTheSummaryStartsOnANewLine() throws Exception {
        Run run = Run.onTerminal("--products=10", "--warehouses=1", "--buyers=200", "--threads=4",
                "--seconds=0.5", "--rate=100", "--pay-ms=5", "--hold-ttl-ms=50");

        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("\r").contains("\n\nSummary after");
        assertThat(run.lines()).contains("oversold units: 0");
    }

    @Test
    void progressOffPrintsNoProgress() throws Exception {
        Run run = Run.of("--products=10", "--warehouses=1", "--buyers=100", "--threads=2", "--seconds=0.2",
                "--rate=0", "--pay-ms=0", "--hold-ttl-ms=20", "--progress=off");

        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).doesNotContain("Progress:", "  reserved ", "\r");
        assertThat(run.lines()).contains("oversold units: 0");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() throws Exception {
        Run run = Run.of("--help");

        assertThat(run.status()).isZero();
        assertThat(run.err()).isEmpty();
        for (FlashSale.Option o : FlashSale.Option.values()) {
            assertThat(run.out()).contains("--" + o.flag + "=" + o.defaultValue);
        }
        FlashSale.Settings defaults = FlashSale.Settings.parse();
        assertThat(defaults.products()).isEqualTo(5_000);
        assertThat(defaults.refreshMs()).isEqualTo(1_000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "--buyers=lots         | --buyers must be an integer from 1 to 1,000,000 but was 'lots'",
            "--threads=0           | --threads must be an integer from 1 to 1,024 but was '0'",
            "--abandon=1.5         | --abandon must be a number from 0 to 1 but was '1.5'",
            "--seconds=0           | --seconds must be a number from 0.1 to 3,600 but was '0'",
            "--progress=loud       | --progress must be auto, live, lines or off but was 'loud'",
            "--speed=3             | unknown option --speed",
            "--stock               | --stock needs a value, e.g. --stock=100",
            "stray                 | expected an option --name=value but got 'stray'",
    })
    void aBadOptionIsRefusedNamingTheOptionAndTheValue(String arg, String message) throws Exception {
        Run run = Run.of(arg);

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).startsWith("FlashSale: " + message);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anOptionGivenTwiceIsRefused() throws Exception {
        Run run = Run.of("--seed=1", "--seed", "2");

        assertThat(run.status()).isEqualTo(64);
        assertThat(run.err()).startsWith("FlashSale: --seed given twice");
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    /** One run in process: exit status, stdout, stderr. */
    private record Run(int status, String out, String err) {
        static Run of(String... args) throws InterruptedException {
            return run(false, args);
        }

        static Run onTerminal(String... args) throws InterruptedException {
            return run(true, args);
        }

        private static Run run(boolean terminal, String... args) throws InterruptedException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                status = FlashSale.run(args, o, e, terminal);
            }
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        List<String> lines() {
            return List.of(out.split("\\R"));
        }

        /** The first line of stdout that matches the whole pattern; fails the test if none does. */
        Matcher find(String regex) {
            Pattern p = Pattern.compile(regex);
            for (String line : lines()) {
                Matcher m = p.matcher(line);
                if (m.matches()) {
                    return m;
                }
            }
            throw new AssertionError("no line matches " + regex + " in:\n" + out);
        }
    }
}
