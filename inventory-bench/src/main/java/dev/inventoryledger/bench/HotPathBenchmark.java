package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * How every hot-path benchmark ({@link SellableBenchmark}, {@link ApplyBenchmark}, {@link ReserveBenchmark},
 * {@link StorefrontBenchmark}) is measured: operations per second, 3 warm-up and 5 measured iterations of one
 * second, in one fork with a fixed 4 GiB heap (BENCHMARKS.md). JMH's class annotations are inherited, the
 * closest one in the hierarchy winning (JMH sample 24, "Inheritance"): a benchmark extends this class and
 * annotates only what it does differently.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public abstract class HotPathBenchmark {
}
