package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.sql.SQLException;

/**
 * A checkout: {@code tryReserve} of one unit, then {@code confirm} of that hold as an order (one operation
 * = both calls). On one hot SKU, the flash sale, by one thread and by two (every call contends for the same
 * position); and spread over the store's skewed choice of positions. Each reservation has a new id (the
 * order takes the same id); stock never runs out, so every reservation is accepted — one that is not fails
 * the benchmark.
 */
public class ReserveBenchmark extends HotPathBenchmark {

    /** One thread's checkout ids. */
    @State(Scope.Thread)
    public static class Checkout {
        /** Ids prepared per iteration. */
        @Param("2097152")
        public int ring;

        private Ids ids;

        @Setup(Level.Trial)
        public void prepare(StoreState shop, SessionState session) {
            ids = new Ids("C" + session.thread + "-", ring, shop.peer.keepsReservations());
        }

        @TearDown(Level.Iteration)
        public void refill() {
            ids.refillBetweenIterations("reserve", " (slower)");
        }

        boolean reserveAndConfirm(Peer.Session session, String product, String warehouse) throws SQLException {
            String id = ids.next();
            if (!session.tryReserve(product, warehouse, 1, id) || !session.confirm(product, warehouse, 1, id, id)) {
                throw new IllegalStateException("checkout " + id + " of " + product + " at " + warehouse
                        + " was refused, but stock never runs out here");
            }
            return true;
        }
    }

    @Benchmark
    @Threads(1)
    public boolean hotSkuOneThread(SessionState s, Checkout c) throws SQLException {
        return c.reserveAndConfirm(s.session, s.store.hotProduct(), s.store.hotWarehouse());
    }

    @Benchmark
    @Threads(2)
    public boolean hotSkuTwoThreads(SessionState s, Checkout c) throws SQLException {
        return c.reserveAndConfirm(s.session, s.store.hotProduct(), s.store.hotWarehouse());
    }

    @Benchmark
    @Threads(1)
    public boolean spreadOneThread(SessionState s, Checkout c) throws SQLException {
        int i = s.choice++;
        return c.reserveAndConfirm(s.session, s.store.productAt(i), s.store.warehouseAt(i));
    }

    @Benchmark
    @Threads(2)
    public boolean spreadTwoThreads(SessionState s, Checkout c) throws SQLException {
        int i = s.choice++;
        return c.reserveAndConfirm(s.session, s.store.productAt(i), s.store.warehouseAt(i));
    }
}
