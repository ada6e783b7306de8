package dev.inventoryledger.examples;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The buyers of the {@link FlashSale}, each checking out twice at the same instant, in two worlds that share
 * nothing but the buyer:
 * <ul>
 *   <li><b>the ledger</b>: {@link InventoryLedger#tryReserve} on arrival; after paying, {@link
 *       InventoryLedger#confirm}; a buyer who walks away either {@link InventoryLedger#release}s the hold
 *       or just leaves, and the hold lapses when its time to live passes;</li>
 *   <li><b>read-then-order</b>, the reference article's pattern: the buyer reads the product's count from a
 *       {@link StaleView view} and, if it shows enough, pays and places an order. The engine takes the order
 *       into its true count at once; the view is a copy of that count, refreshed once per period.</li>
 * </ul>
 * Buyers arrive at seeded random instants spread evenly over the sale, on a pool of checkout threads.
 * Counts are updated by the checkout threads and may be read by any thread while the sale runs.
 */
final class FlashSaleBuyers {
    static final String PRODUCT = "FLASH-1";
    static final String WAREHOUSE = "WH-1";

    /** What a buyer does once the product is in hand (a hold, or a view showing enough). */
    enum Fate {
        /** Pays, then confirms the hold (ledger) or places the order (read-then-order). */
        PAYS,
        /** Walks away instead of paying, and releases the hold. */
        RELEASES,
        /** Walks away and forgets the hold, which lapses. */
        LETS_LAPSE
    }

    /**
     * One buyer.
     *
     * @param index        the buyer's number, part of its cart and order ids
     * @param arrivalNanos when the buyer arrives, after the opening
     * @param wants        units wanted, 1 or 2
     * @param fate         what the buyer does with the product in hand
     * @param payNanos     how long paying (or hesitating before walking away) takes
     */
    record Buyer(int index, long arrivalNanos, int wants, Fate fate, long payNanos) {
    }

    /**
     * The seeded buyers of a sale, in arrival order: arrivals uniform over the sale, 1 or 2 units each,
     * {@code abandon} of them walking away (half releasing, half letting the hold lapse), paying taking
     * between half and one and a half times {@code payMs}.
     */
    static List<Buyer> arrivals(FlashSale.Settings s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        long window = (long) (s.seconds() * TimeUnit.SECONDS.toNanos(1));
        long pay = TimeUnit.MILLISECONDS.toNanos(s.payMs());
        List<Buyer> buyers = new ArrayList<>(s.buyers());
        for (int i = 0; i < s.buyers(); i++) {
            long at = random.nextLong(window);
            int wants = 1 + random.nextInt(2);
            Fate fate = random.nextDouble() >= s.abandon() ? Fate.PAYS
                    : random.nextBoolean() ? Fate.RELEASES : Fate.LETS_LAPSE;
            long payNanos = pay / 2 + (pay == 0 ? 0 : random.nextLong(pay + 1));
            buyers.add(new Buyer(i + 1, at, wants, fate, payNanos));
        }
        buyers.sort(Comparator.comparingLong(Buyer::arrivalNanos));
        return List.copyOf(buyers);
    }

    /**
     * The article's serving layer for one product: the streaming engine's true count, which every order
     * changes at once, and the materialized view buyers read, a copy of that count made at each barrier.
     */
    static final class StaleView {
        /** The engine's count. Checkout threads subtract their orders (atomic); the refresher reads it. */
        private final AtomicLong trueCount;
        /** What buyers read. Written only by the refresher at each barrier; read by checkout threads (volatile). */
        private volatile long shown;
        /** Barriers so far. Written by the refresher only (volatile, for readers of the progress). */
        private volatile int refreshes;

        StaleView(long units) {
            trueCount = new AtomicLong(units);
            shown = units;
        }

        /** A barrier: the view catches up with the engine. One thread only. */
        void refresh() {
            shown = trueCount.get();
            refreshes++;
        }

        long shown() {
            return shown;
        }

        int refreshes() {
            return refreshes;
        }
    }

    /** Counts of one world. Incremented by checkout threads; summed by any reader. */
    static final class Tally {
        /** Ledger: reservations accepted. Read-then-order: buyers the view showed enough to. */
        final LongAdder gotProduct = new LongAdder();
        /** Ledger: reservations rejected. Read-then-order: buyers the view showed too little to. */
        final LongAdder turnedAway = new LongAdder();
        /** Buyers who had the product in hand but walked away. */
        final LongAdder walkedAway = new LongAdder();
        final LongAdder orders = new LongAdder();
        final LongAdder unitsSold = new LongAdder();
        /** Ledger only: holds released by a buyer. */
        final LongAdder released = new LongAdder();
        /** Ledger only: holds that lapsed (left to lapse, or found lapsed by a late confirm or release). */
        final LongAdder lapsed = new LongAdder();
        /** Ledger only: confirms that found the hold lapsed and its units gone (the buyer is refunded). */
        final LongAdder lapsedBeforePaying = new LongAdder();
    }

    private final InventoryLedger ledger;
    private final List<Buyer> buyers;
    private final Duration holdTtl;
    private final long refreshNanos;
    private final StaleView view;
    private final Tally ledgerTally = new Tally();
    private final Tally viewTally = new Tally();
    private final CountDownLatch done;
    /** The first failure of a checkout thread; set once by any of them, read by the thread that waits. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    FlashSaleBuyers(InventoryLedger ledger, FlashSale.Settings s) {
        this.ledger = ledger;
        this.buyers = arrivals(s);
        this.holdTtl = Duration.ofMillis(s.holdTtlMs());
        this.refreshNanos = TimeUnit.MILLISECONDS.toNanos(s.refreshMs());
        this.view = new StaleView(s.stock());
        this.done = new CountDownLatch(buyers.size());
    }

    /**
     * Opens the sale at {@code opening} ({@link System#nanoTime()} scale): schedules every buyer on
     * {@code checkouts} and the view's barriers on {@code timer}. Returns at once.
     */
    void open(long opening, ScheduledExecutorService checkouts, ScheduledExecutorService timer) {
        timer.scheduleAtFixedRate(view::refresh, opening + refreshNanos - System.nanoTime(), refreshNanos,
                TimeUnit.NANOSECONDS);
        for (Buyer b : buyers) {
            checkouts.schedule(() -> guarded(() -> arrive(b, checkouts)),
                    opening + b.arrivalNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Waits until every buyer is done.
     *
     * @return false if the time ran out first
     * @throws IllegalStateException if a checkout failed
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        boolean finished = done.await(timeout, unit);
        if (failure.get() != null) {
            throw new IllegalStateException("a checkout failed: " + failure.get(), failure.get());
        }
        return finished;
    }

    private void arrive(Buyer b, ScheduledExecutorService checkouts) {
        // read-then-order: what the view shows now decides
        boolean ordersFromView = false;
        if (view.shown() < b.wants()) {
            viewTally.turnedAway.increment();
        } else {
            viewTally.gotProduct.increment();
            ordersFromView = b.fate() == Fate.PAYS;
            if (!ordersFromView) {
                viewTally.walkedAway.increment();
            }
        }
        // the ledger: a hold now, or nothing
        String cart = "cart-" + b.index();
        ReservationResult r = ledger.tryReserve(PRODUCT, WAREHOUSE, b.wants(), cart, holdTtl);
        boolean held = r.accepted();
        if (held) {
            ledgerTally.gotProduct.increment();
            if (b.fate() != Fate.PAYS) {
                ledgerTally.walkedAway.increment();
            }
            if (b.fate() == Fate.LETS_LAPSE) {
                ledgerTally.lapsed.increment(); // it will: nobody confirms or releases it
            }
        } else {
            ledgerTally.turnedAway.increment();
        }
        boolean endsHold = held && b.fate() != Fate.LETS_LAPSE;
        if (!ordersFromView && !endsHold) {
            done.countDown();
            return;
        }
        boolean order = ordersFromView;
        checkouts.schedule(() -> guarded(() -> {
            if (order) {
                view.trueCount.addAndGet(-b.wants());
                sold(viewTally, b);
            }
            if (endsHold) {
                endHold(b, cart);
            }
            done.countDown();
        }), b.payNanos(), TimeUnit.NANOSECONDS);
    }

    private void endHold(Buyer b, String cart) {
        if (b.fate() == Fate.PAYS) {
            HoldOutcome o = ledger.confirm(cart, "ORD-FLASH-" + b.index());
            switch (o) {
                case CONFIRMED, CONFIRMED_AFTER_EXPIRY -> sold(ledgerTally, b);
                case EXPIRED -> {
                    ledgerTally.lapsed.increment();
                    ledgerTally.lapsedBeforePaying.increment();
                }
                default -> throw new IllegalStateException("confirm of " + cart + " found it " + o);
            }
        } else {
            HoldOutcome o = ledger.release(cart);
            switch (o) {
                case RELEASED -> ledgerTally.released.increment();
                case EXPIRED -> ledgerTally.lapsed.increment();
                default -> throw new IllegalStateException("release of " + cart + " found it " + o);
            }
        }
    }

    private static void sold(Tally tally, Buyer b) {
        tally.orders.increment();
        tally.unitsSold.add(b.wants());
    }

    /** Runs a step of a checkout; a failure is kept for {@link #await} and the buyer counted done. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (Throwable t) {
            if (failure.compareAndSet(null, t)) {
                while (done.getCount() > 0) {
                    done.countDown(); // nobody waits for the sale to end normally after a failure
                }
            }
        }
    }

    List<Buyer> buyers() {
        return buyers;
    }

    Tally ledger() {
        return ledgerTally;
    }

    Tally readThenOrder() {
        return viewTally;
    }

    StaleView view() {
        return view;
    }

    /** The read-then-order engine's true count of the product: stock minus every order taken. */
    long readThenOrderTrueCount() {
        return view.trueCount.get();
    }
}
