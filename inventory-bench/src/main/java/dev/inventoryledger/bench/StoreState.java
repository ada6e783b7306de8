package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One trial's store and the peer under test, shared by the benchmark's threads: the {@link Store} of
 * {@code products × warehouses} positions, loaded into the peer named by {@code impl} before anything is
 * measured.
 */
@State(Scope.Benchmark)
public class StoreState {
    /**
     * Which keeps the count: see {@link Peer}. {@code postgres} needs -Dbench.postgres, {@code redis}
     * -Dbench.redis (see {@link BenchMain}).
     */
    @Param({Peer.LEDGER, Peer.CHM, Peer.H2, Peer.POSTGRES, Peer.REDIS})
    public String impl;
    /** Products in the store (the article's 50,000). */
    @Param("50000")
    public int products;
    /** Warehouses per product. */
    @Param("10")
    public int warehouses;

    Store store;
    Peer peer;
    private final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws SQLException {
        store = Store.of(products, warehouses);
        peer = Peer.named(impl);
        long start = System.nanoTime();
        peer.load(store);
        System.out.printf("%n[%s] %,d positions loaded in %.1f s%n", impl, (long) products * warehouses,
                (System.nanoTime() - start) / 1e9);
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        peer.close();
    }

    /** 0 for the first thread that asks, 1 for the next, … */
    int nextThread() {
        return threads.getAndIncrement();
    }
}
