package dev.inventoryledger.bench.kafka;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClusterBench} at two seconds a run, so that it cannot break unnoticed (BENCHMARKS.md has the real
 * run): every run prints its row with answers counted. No timings are asserted.
 */
class ClusterBenchSmokeTest {
    @Test
    void everyRunPrintsItsRow() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ClusterBench.run(2, out);
        }
        String table = bytes.toString(StandardCharsets.UTF_8);
        for (String mode : java.util.List.of("epoch: ", "transactions: ")) {
            for (String run : java.util.List.of("remote, one call at a time", "local, one call at a time",
                    "remote, spread, 1 caller instance", "local, spread, 1 caller instance",
                    "hot SKU, 16 callers on its owner (local)", "hot SKU, 16 callers on each of the three",
                    "shop's plain orders on an owner's partition, to a read_committed reader")) {
                assertThat(table).containsPattern("\\| " + java.util.regex.Pattern.quote(mode + run)
                        + " \\| [1-9][\\d,]* \\|");
            }
            assertThat(table).containsPattern(java.util.regex.Pattern.quote(mode) + "the same while its owner is "
                    + "frozen \\(SIGSTOP[^)]*\\), until its partitions moved \\(\\d+ ms\\) \\| [1-9][\\d,]* \\|")
                    .containsPattern(java.util.regex.Pattern.quote(mode) + "failover after close\\(\\): close\\(\\) "
                            + "took \\d+ ms; first hold of the hot SKU answered \\d+ ms after close\\(\\) began");
        }
        assertThat(table).doesNotContain("not accepted");
    }
}
