package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Threads;

import java.sql.SQLException;

/**
 * {@code sellable(product, warehouse)}: the checkout's question, on the store's skewed choice of positions,
 * by one thread and by two. Reads only: nothing writes meanwhile (the storefront mix has writers).
 */
public class SellableBenchmark extends HotPathBenchmark {

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
