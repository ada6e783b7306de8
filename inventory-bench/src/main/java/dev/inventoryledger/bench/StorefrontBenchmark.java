package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.sql.SQLException;
import java.util.SplittableRandom;

/**
 * A storefront's day, by two threads: of every 1,000 operations, 900 {@code sellable} reads, 45
 * {@code tryReserve}s (1 unit, 15-minute hold), 30 {@code confirm}s and 15 {@code release}s of this thread's
 * oldest open hold, and 10 receipts (100 units, applied as events) — all on the store's skewed choice of
 * positions, so the reads of the most wanted products meet the holds and the writes of the other thread.
 * The sequence of operations is fixed per thread (shuffled once), the same for the ledger and every peer.
 */
public class StorefrontBenchmark extends HotPathBenchmark {
    static final byte READ = 0, RESERVE = 1, CONFIRM = 2, RELEASE = 3, RECEIPT = 4;

    /** One shopper thread: its sequence of operations, its open holds (oldest first), its ids. */
    @State(Scope.Thread)
    public static class Shopper {
        private static final int OPS = 1 << 16;
        private static final int OPEN = 4096;

        /** Reservation ids prepared per iteration. */
        @Param("2097152")
        public int ring;

        private final byte[] ops = new byte[OPS];
        private int op;
        private Ids ids;
        private String receiptPrefix;
        private long receipts;
        // open holds: a ring buffer of (product, warehouse, id), oldest at head
        private final String[] openProduct = new String[OPEN], openWarehouse = new String[OPEN], openId = new String[OPEN];
        private int head, size;

        @Setup(Level.Trial)
        public void prepare(StoreState shop, SessionState session) {
            int n = 0;
            n = fill(n, OPS * 900 / 1000, READ);
            n = fill(n, OPS * 45 / 1000, RESERVE);
            n = fill(n, OPS * 30 / 1000, CONFIRM);
            n = fill(n, OPS * 15 / 1000, RELEASE);
            fill(n, OPS - n, RECEIPT); // the rest: 10 per 1,000
            SplittableRandom random = new SplittableRandom(42 + session.thread);
            for (int i = OPS - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                byte t = ops[i];
                ops[i] = ops[j];
                ops[j] = t;
            }
            ids = new Ids("S" + session.thread + "-", ring, shop.peer.keepsReservations());
            receiptPrefix = "RCS" + session.thread + "-";
        }

        /** Sets {@code count} operations of the sequence to {@code kind}, from {@code from}. */
        private int fill(int from, int count, byte kind) {
            int to = from + count;
            for (int i = from; i < to; i++) {
                ops[i] = kind;
            }
            return to;
        }

        @TearDown(Level.Iteration)
        public void refill() {
            ids.refillBetweenIterations("storefront", "");
        }

        long next(SessionState s) throws SQLException {
            int i = s.choice++;
            String product = s.store.productAt(i), warehouse = s.store.warehouseAt(i);
            switch (ops[op++ & (OPS - 1)]) {
                case RESERVE:
                    if (size < OPEN) {
                        String id = ids.next();
                        if (!s.session.tryReserve(product, warehouse, 1, id)) {
                            throw new IllegalStateException("reservation " + id + " refused, but stock never runs out");
                        }
                        int tail = (head + size++) & (OPEN - 1);
                        openProduct[tail] = product;
                        openWarehouse[tail] = warehouse;
                        openId[tail] = id;
                        return 1;
                    }
                    break;
                case CONFIRM:
                case RELEASE:
                    if (size > 0) {
                        boolean confirm = ops[(op - 1) & (OPS - 1)] == CONFIRM;
                        String p = openProduct[head], w = openWarehouse[head], id = openId[head];
                        openProduct[head] = openWarehouse[head] = openId[head] = null;
                        head = (head + 1) & (OPEN - 1);
                        size--;
                        boolean ended = confirm ? s.session.confirm(p, w, 1, id, id) : s.session.release(p, w, 1, id);
                        if (!ended) {
                            throw new IllegalStateException("hold " + id + " could not be ended");
                        }
                        return 2;
                    }
                    break;
                case RECEIPT:
                    return s.session.apply(InventoryEvent.stockReceived(receiptPrefix + receipts++, product, warehouse,
                            100, Store.OPENING));
                default:
                    break;
            }
            return s.session.sellable(product, warehouse);
        }
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(SessionState s, Shopper shopper) throws SQLException {
        return shopper.next(s);
    }
}
