package dev.inventoryledger.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every benchmark once, tiny and in this JVM, so that a benchmark that breaks fails the build. The figures
 * mean nothing here; the real runs are behind their own command (BENCHMARKS.md).
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkRunsOnce() throws Exception {
        Options options = new OptionsBuilder()
                .include("dev\\.inventoryledger\\.bench\\..*")
                .param("products", "200")
                .param("identitiesPerProduct", "20")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertThat(results).extracting(r -> r.getParams().getBenchmark())
                .contains("dev.inventoryledger.bench.CheckpointBenchmark.checkpoint",
                        "dev.inventoryledger.bench.CheckpointBenchmark.restore");
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
