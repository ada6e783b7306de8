package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * {@code sellable(product, warehouse)}: the checkout's question, on the store's skewed choice of positions,
 * by one thread and by two. Reads only: nothing writes meanwhile (the storefront mix has writers).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class SellableBenchmark {

    @Benchmark
    @Threads(1)
    public long oneThread(SessionState s) throws SQLException {
        return s.readNext();
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(SessionState s) throws SQLException {
        return s.readNext();
    }
}
