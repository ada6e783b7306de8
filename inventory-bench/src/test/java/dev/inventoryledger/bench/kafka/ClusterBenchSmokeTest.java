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
        assertThat(table).containsPattern("\\| remote, one call at a time \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| local, one call at a time \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| remote, spread, 1 caller instance \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| local, spread, 1 caller instance \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| hot SKU, 16 callers on its owner \\(local\\) \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| hot SKU, 16 callers on each of the three \\| [1-9][\\d,]* \\|")
                .containsPattern("failover after close\\(\\): close\\(\\) took \\d+ ms; first hold of the hot SKU "
                        + "answered \\d+ ms after close\\(\\) began")
                .doesNotContain("not accepted");
    }
}
