package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KafkaPipeline} run in process at a small size, against the real broker it starts itself: what it
 * prints and the status it exits with. No timings are asserted.
 */
class KafkaPipelineTest {

    @Test
    void aSmallRunRestartsFromItsCheckpointAndItsCountsMatchEverythingPublished() {
        // 12 products x 2 warehouses: 24 opening receipts, then 300 events a second for 6 s = 1,800 more.
        Run run = Run.of("--products=12", "--warehouses=2", "--rate=300", "--seconds=6");

        assertThat(run.status()).as(run.out()).isEqualTo(KafkaPipeline.EXIT_OK);
        assertThat(run.out())
                .containsPattern("Kafka [\\d.]+ broker in this JVM at 127.0.0.1:\\d+")
                .containsPattern("feed closed after [\\d,]+ events; its checkpoint \\([\\d,]+ bytes\\) holds them")
                .contains("new ledger and feed: restored from the checkpoint (24 positions)")
                .contains("restart lost nothing: 1,824 events, counts match at 24 positions")
                .containsPattern("a new instance with an empty disk was ready in [\\d.]+ s from the snapshots of 2 "
                        + "partitions, reading 0 records after them; counts match at 24 positions");
        // ~75 events per position drain 10-40 units of opening stock: every watched position goes low.
        assertThat(run.out()).as("alerts of the watched products, as they happen")
                .containsPattern("(?m)^ +alert  LOW_STOCK +SKU-000[123] at WH-[12]: available \\d+ -> \\d+$")
                .containsPattern("alerts, every product: [1-9][\\d,]* low stock");
    }

    @Test
    void helpListsTheOptionsAndExitsZeroWithoutStartingABroker() {
        Run run = Run.of("--help");

        assertThat(run.status()).isEqualTo(KafkaPipeline.EXIT_OK);
        assertThat(run.out()).startsWith("usage: KafkaPipeline").contains("--products=N", "--warehouses=N",
                "--rate=N", "--seconds=N", "--seed=N").doesNotContain("broker in this JVM at");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--colour=red    | unknown option --colour",
            "--rate=fast     | --rate must be a whole number from 1 to 100000 but was 'fast'",
            "--seconds=0     | --seconds must be a whole number from 1 to 3600 but was '0'",
            "--products      | --products needs a value, e.g. --products=1",
            "products=5      | unexpected argument 'products=5'",
    })
    void aBadOptionIsNamedAndExits64(String arg, String message) {
        Run run = Run.of("--seconds=5", arg);

        assertThat(run.status()).isEqualTo(KafkaPipeline.EXIT_USAGE);
        assertThat(run.out()).startsWith("KafkaPipeline: " + message).doesNotContain("broker in this JVM at");
    }

    /** One run in this JVM: its exit status and everything it printed. */
    private record Run(int status, String out) {
        static Run of(String... args) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int status;
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                status = KafkaPipeline.run(args, out);
            }
            return new Run(status, bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
