package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The everyday life of the {@link FlashSale}'s store around the sale: a catalog of products in several
 * warehouses, stocked by one {@code stock_received} event per position, then a steady stream of orders,
 * cancellations, returns and receipts on those products, applied with {@link InventoryLedger#apply} by a
 * couple of threads at a set rate.
 *
 * <p>The stream never touches the flash-sale product: its counts at the end are the sale's alone. Of every
 * 100 events about 77 are orders (1–3 units), 10 cancellations of an earlier order of the stream (once
 * each), 10 returns of one unit and 3 receipts (20–100 units). An order is placed only if the position has
 * that much sellable, else the units are received instead (a restock); the check is exact because each
 * product is fed by one thread only and nothing else writes it.
 *
 * <p>{@link #stock()} and {@link #start} are called by one thread; {@link #eventsApplied()} by any.
 */
final class StoreTraffic {
    private static final int RECENT_ORDERS = 64;

    private final InventoryLedger ledger;
    private final String[] products;
    private final String[] warehouses;
    private final long seed;
    /** Events applied: incremented by the stocking thread and the feeders, summed by any reader. */
    private final LongAdder applied = new LongAdder();
    private final List<Thread> feeders = new ArrayList<>();
    /** The first failure of a feeder (which then stops); set by the feeders, read by {@link #stop()}. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Set by the thread that calls {@link #stop()}; read by the feeders (volatile) between events. */
    private volatile boolean stopping;

    StoreTraffic(InventoryLedger ledger, int products, int warehouses, long seed) {
        this.ledger = ledger;
        this.products = new String[products];
        for (int i = 0; i < products; i++) {
            this.products[i] = String.format("SKU-%05d", i + 1);
        }
        this.warehouses = new String[warehouses];
        for (int i = 0; i < warehouses; i++) {
            this.warehouses[i] = "WH-" + (i + 1);
        }
        this.seed = seed;
    }

    /** Positions in the catalog: products × warehouses. */
    long positions() {
        return (long) products.length * warehouses.length;
    }

    /** Applies one receipt of 20–500 units to every position of the catalog. */
    void stock() {
        SplittableRandom random = new SplittableRandom(seed);
        Instant now = Instant.now();
        for (String product : products) {
            for (String warehouse : warehouses) {
                count(ledger.apply(InventoryEvent.stockReceived("RCPT-" + product + "-" + warehouse, product,
                        warehouse, 20 + random.nextInt(481), now)).applied());
            }
        }
    }

    /**
     * Starts {@code threads} feeders (fewer if there are fewer products) that together apply about
     * {@code eventsPerSecond} events a second until {@link #stop()}. 0 events a second starts none.
     */
    void start(int eventsPerSecond, int threads) {
        int n = Math.min(threads, products.length);
        if (eventsPerSecond == 0 || n == 0) {
            return;
        }
        for (int k = 0; k < n; k++) {
            Feeder feeder = new Feeder(k, n, (double) eventsPerSecond / n);
            Thread t = new Thread(() -> {
                try {
                    feeder.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "store-feeder-" + (k + 1));
            t.setDaemon(true);
            feeders.add(t);
            t.start();
        }
    }

    /**
     * Stops the feeders and waits for them to finish their current event.
     *
     * @throws IllegalStateException if a feeder failed
     */
    void stop() throws InterruptedException {
        halt();
        if (failure.get() != null) {
            throw new IllegalStateException("a store feeder failed: " + failure.get(), failure.get());
        }
    }

    /** Stops the feeders and waits for them, whether or not one failed (for cleaning up after a failure). */
    void halt() throws InterruptedException {
        stopping = true;
        for (Thread t : feeders) {
            t.join();
        }
    }

    /** Events applied so far, stocking included. */
    long eventsApplied() {
        return applied.sum();
    }

    private void count(boolean wasApplied) {
        if (!wasApplied) {
            // every id the store makes is new: a duplicate would mean the store, not the ledger, is wrong
            throw new IllegalStateException("the store made an event the ledger had already seen");
        }
        applied.increment();
    }

    /** One feeder thread: owns the products whose index is {@code k} modulo {@code of}. Thread-confined. */
    private final class Feeder {
        private final int k;
        private final int of;
        private final double perNano;
        private final SplittableRandom random;
        private final InventoryEvent[] recentOrders = new InventoryEvent[RECENT_ORDERS];
        private long sequence;

        Feeder(int k, int of, double perSecond) {
            this.k = k;
            this.of = of;
            this.perNano = perSecond / TimeUnit.SECONDS.toNanos(1);
            this.random = new SplittableRandom(seed * 31 + k + 1);
        }

        void run() {
            long start = System.nanoTime();
            while (!stopping) {
                long due = (long) ((System.nanoTime() - start) * perNano);
                if (sequence >= due) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // ahead of the rate
                } else {
                    count(ledger.apply(next()).applied());
                }
            }
        }

        private InventoryEvent next() {
            String product = products[k + of * random.nextInt((products.length - k + of - 1) / of)];
            String warehouse = warehouses[random.nextInt(warehouses.length)];
            String n = (k + 1) + "-" + (++sequence);
            Instant now = Instant.now();
            int dice = random.nextInt(100);
            if (dice < 77) {
                int quantity = 1 + random.nextInt(3);
                if (ledger.sellable(product, warehouse) < quantity) {
                    return InventoryEvent.stockReceived("RCPT-" + n, product, warehouse, 100 + random.nextInt(201),
                            now);
                }
                InventoryEvent order = InventoryEvent.orderPlaced("ORD-" + n, product, warehouse, quantity, now);
                recentOrders[random.nextInt(RECENT_ORDERS)] = order;
                return order;
            } else if (dice < 87) {
                int slot = random.nextInt(RECENT_ORDERS);
                InventoryEvent order = recentOrders[slot];
                if (order != null) {
                    recentOrders[slot] = null; // an order is cancelled once
                    return InventoryEvent.orderCancelled(order.id(), order.productId(), order.warehouseId(),
                            order.quantity(), now);
                }
            } else if (dice < 97) {
                return InventoryEvent.returnReceived("RET-" + n, product, warehouse, 1, now);
            }
            return InventoryEvent.stockReceived("RCPT-" + n, product, warehouse, 20 + random.nextInt(81), now);
        }
    }
}
