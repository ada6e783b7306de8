package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Two commands": the first builds and runs the {@link FlashSale} demo, the second is the test
 * command that CI's {@code .ci/run} runs; the demo's output shown there has the lines the program prints.
 */
class ReadmeCommandsTest {
    private static final String DEMO = ReadmeSections.BUILD + ReadmeSections.javaCommand(FlashSale.class);

    @Test
    void theFirstCommandRunsTheFlashSaleAndTheSecondIsWhatCiRuns() throws IOException {
        List<String> blocks = ReadmeSections.codeBlocksUnder("## Two commands");
        List<String> commands = List.of(blocks.get(0).strip().split("\n"));
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0)).isEqualTo(DEMO);
        List<String> ci = Files.readAllLines(ReadmeSections.ROOT.resolve(".ci/run"), StandardCharsets.UTF_8);
        assertThat(ci).as(".ci/run runs the README's test command").contains(commands.get(1));
    }

    @Test
    void theDemoPrintsTheLinesTheReadmeShows() throws Exception {
        List<String> blocks = ReadmeSections.codeBlocksUnder("## Two commands");
        List<String> shown = List.of(blocks.get(1).split("\n"));
        assertThat(shown).contains("oversold units: 0");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            status = FlashSale.run(new String[]{"--products=50", "--warehouses=2", "--buyers=400", "--threads=4",
                    "--seconds=0.5", "--rate=200", "--pay-ms=5", "--hold-ttl-ms=60", "--progress=off"}, o, e, false);
        }
        assertThat(status).isZero();
        List<String> printed = List.of(out.toString(StandardCharsets.UTF_8).split("\\R"));
        for (String line : shown) {
            if (line.isBlank()) {
                continue;
            }
            // the same line up to its figures: labels, column heads and wording must not drift from the program
            assertThat(printed).as("the README shows\n%s", line)
                    .anyMatch(p -> ReadmeSections.shape(p).equals(ReadmeSections.shape(line)));
        }
    }

    /**
     * The story that opens the README quotes the demo: its figures are those of the output shown under "Two
     * commands" (the first command's, with every option at its default), and the settings it names are the
     * demo's defaults.
     */
    @Test
    void theOpeningStoryQuotesWhatTheFirstCommandPrints() throws IOException {
        String readme = ReadmeSections.readme();
        String story = readme.substring(0, readme.indexOf("\n## ")).replaceAll("\\s+", " ");
        List<String> shown = List.of(ReadmeSections.codeBlocksUnder("## Two commands").get(1).split("\n"));
        List<String> sold = shown.stream().filter(l -> l.startsWith("units sold")).findFirst()
                .map(l -> List.of(l.substring("units sold".length()).strip().split(" +"))).orElseThrow();
        assertThat(sold).as("units sold: ledger, read-then-order").hasSize(2);
        String stock = grouped(FlashSale.Option.STOCK.defaultValue);

        assertThat(story).contains("sold **" + sold.get(1) + " units of a " + stock + "-unit SKU**")
                .contains("the same sale through the ledger sold exactly " + sold.get(0));
        assertThat(shown).anyMatch(l -> l.contains("(sold " + sold.get(1) + " of " + stock + ";"));
        assertThat(story).contains(grouped(FlashSale.Option.BUYERS.defaultValue) + " buyers in "
                        + FlashSale.Option.SECONDS.defaultValue + " seconds")
                .contains("about " + FlashSale.Option.PAY_MS.defaultValue + " ms to pay");
        assertThat(FlashSale.Option.REFRESH_MS.defaultValue).as("the story's view is refreshed once a second")
                .isEqualTo("1000");
        assertThat(story).contains("a view refreshed once a second");
    }

    private static String grouped(String number) {
        return String.format(Locale.ROOT, "%,d", Long.parseLong(number));
    }

    /** A line with its numbers replaced by {@code #}. */
}
