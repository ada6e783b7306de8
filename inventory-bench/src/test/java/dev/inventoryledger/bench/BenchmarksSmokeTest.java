package dev.inventoryledger.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every benchmark once, tiny and in this JVM, so that a benchmark that breaks fails the build. The figures
 * mean nothing here; the real runs are behind their own command (BENCHMARKS.md). The hot-path benchmarks
 * run against the ledger, the bare map and H2; PostgreSQL and Redis only when -Dbench.postgres and
 * -Dbench.redis name a server.
 */
class BenchmarksSmokeTest {
    private static final String BENCH = "dev.inventoryledger.bench.";

    @Test
    void everyBenchmarkRunsOnce() throws Exception {
        List<String> impls = ServerPeer.configuredPeers();
        Options options = new OptionsBuilder()
                .include("dev\\.inventoryledger\\.bench\\..*")
                .param("products", "200")
                .param("identitiesPerProduct", "20")
                .param("ring", "1024") // small enough to run out: the unprepared path runs too
                .param("impl", impls.toArray(new String[0]))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(2)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<String> hotPaths = List.of("SellableBenchmark.oneThread", "SellableBenchmark.twoThreads",
                "ApplyBenchmark.newEvents", "ApplyBenchmark.redeliveries",
                "ReserveBenchmark.hotSkuOneThread", "ReserveBenchmark.hotSkuTwoThreads",
                "ReserveBenchmark.spreadOneThread", "ReserveBenchmark.spreadTwoThreads",
                "StorefrontBenchmark.twoThreads");
        List<String> expected = new ArrayList<>(List.of(BENCH + "CheckpointBenchmark.checkpoint",
                BENCH + "CheckpointBenchmark.restore"));
        for (String benchmark : hotPaths) {
            for (String impl : impls) {
                expected.add(BENCH + benchmark + " " + impl);
            }
        }
        assertThat(results).extracting(r -> r.getParams().getBenchmark()
                        + (r.getParams().getParam("impl") == null ? "" : " " + r.getParams().getParam("impl")))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
