package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.LedgerAudit;
import dev.inventoryledger.core.Position;

import java.io.Console;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A flash sale in a busy store, sold two ways on the same buyers: through the ledger's holds, and the way the
 * reference article's storefront would, by reading a live view and then ordering. It shows that the ledger
 * sells exactly the stock while thousands of buyers race for it on many threads, and how much a view that
 * is one second old oversells.
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp examples/target/inventory-examples.jar dev.inventoryledger.examples.FlashSale [--name=value ...]
 * </pre>
 *
 * <ul>
 *   <li><b>The store</b> ({@link StoreTraffic}): {@code --products} products in {@code --warehouses}
 *       warehouses, each position stocked by a {@code stock_received} event through
 *       {@link InventoryLedger#apply}; while the sale runs, two threads apply about {@code --rate} orders,
 *       cancellations, returns and receipts a second to those products.</li>
 *   <li><b>The sale</b> ({@link FlashSaleBuyers}): {@code --stock} units of product {@code FLASH-1}, all at
 *       warehouse {@code WH-1}, received through {@code apply}. {@code --buyers} buyers arrive at seeded
 *       random instants over {@code --seconds}, on {@code --threads} checkout threads, each wanting 1 or 2
 *       units. Each calls {@link InventoryLedger#tryReserve}; after paying ({@code --pay-ms}) it
 *       {@link InventoryLedger#confirm}s, or ({@code --abandon} of them) walks away, half of those
 *       {@link InventoryLedger#release}-ing the hold and half letting its {@code --hold-ttl-ms} lapse
 *       ({@link InventoryLedger#expireHolds()} runs every 100 ms).</li>
 *   <li><b>Read-then-order</b>, at the same instants: each buyer also reads the product's count from a view
 *       refreshed every {@code --refresh-ms} (default 1,000 ms: the article's streaming database, RisingWave,
 *       makes its materialized views current at a barrier every second by default) and, if it shows enough
 *       and the buyer pays, orders. Orders land in the engine's true count at once, but every buyer between
 *       two barriers reads the same number.</li>
 *   <li><b>Output</b>: a progress line (rewritten in place on a terminal, one line a second otherwise);
 *       then a table of both ways, the line {@code oversold units: 0} for the ledger (computed: units
 *       confirmed beyond the stock), the hot product's {@code stock = sold + sellable + held},
 *       {@link InventoryLedger#audit()}, and the read-then-order figure
 *       {@code read-then-order against a view refreshed every 1,000 ms: oversold units: N}.</li>
 *   <li><b>Exit status</b>: 0; 1 if the ledger oversold, its counts of the product do not add up, or
 *       {@code audit()} found drift; 64 on a usage error.</li>
 * </ul>
 */
public final class FlashSale {
    static final int EXIT_OK = 0;
    static final int EXIT_LEDGER_WRONG = 1;
    static final int EXIT_USAGE = 64;

    private static final String PRODUCT = FlashSaleBuyers.PRODUCT;
    private static final String WAREHOUSE = FlashSaleBuyers.WAREHOUSE;
    private static final int FEEDER_THREADS = 2;
    private static final long EXPIRY_SWEEP_MS = 100;
    private static final long OPENING_DELAY_MS = 200; // time to schedule every buyer before the first arrives

    /** How the progress is shown. */
    enum Progress {
        /** {@link #LIVE} on a terminal, else {@link #LINES}. */
        AUTO,
        /** One line rewritten in place with a carriage return, five times a second. */
        LIVE,
        /** One line a second: readable in a log. */
        LINES,
        /** None. */
        OFF
    }

    /** The command-line options: name, default and what it sets; the help is made from this list. */
    enum Option {
        PRODUCTS("products", "5000", "products in the store (the flash-sale product is one more)"),
        WAREHOUSES("warehouses", "5", "warehouses; every product is stocked in each"),
        STOCK("stock", "100", "units of the flash-sale product FLASH-1, all at WH-1"),
        BUYERS("buyers", "20000", "buyers in the flash sale, wanting 1 or 2 units each"),
        THREADS("threads", "64", "checkout threads the buyers run on"),
        SECONDS("seconds", "10", "how long buyers keep arriving (decimals allowed)"),
        RATE("rate", "20000", "background store events a second (orders, cancellations, returns, receipts)"),
        PAY_MS("pay-ms", "200", "paying takes 0.5 to 1.5 times this, between hold and confirm"),
        ABANDON("abandon", "0.3", "share of buyers who walk away (half release, half let the hold lapse)"),
        HOLD_TTL_MS("hold-ttl-ms", "2000", "time to live of a hold"),
        REFRESH_MS("refresh-ms", "1000", "read-then-order: the view is refreshed this often"),
        SEED("seed", "42", "seed of the buyers' arrivals, wants and choices"),
        PROGRESS("progress", "auto", "auto, live (\\r), lines (one a second) or off");

        final String flag;
        final String defaultValue;
        final String help;

        Option(String flag, String defaultValue, String help) {
            this.flag = flag;
            this.defaultValue = defaultValue;
            this.help = help;
        }

        static Option named(String flag) {
            for (Option o : values()) {
                if (o.flag.equals(flag)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown option --" + flag + " (see --help)");
        }
    }

    static final String USAGE = usage();

    /**
     * The sale's settings, each in its documented range.
     *
     * @param products   products in the store besides the flash-sale product
     * @param warehouses warehouses
     * @param stock      units of the flash-sale product at its warehouse
     * @param buyers     buyers in the sale
     * @param threads    checkout threads
     * @param seconds    how long buyers keep arriving
     * @param rate       background events a second
     * @param payMs      typical time to pay
     * @param abandon    share of buyers who walk away, in [0, 1]
     * @param holdTtlMs  time to live of a hold
     * @param refreshMs  refresh period of the read-then-order view
     * @param seed       seed of the buyers
     * @param progress   how progress is shown
     */
    record Settings(int products, int warehouses, int stock, int buyers, int threads, double seconds, int rate,
                    int payMs, double abandon, int holdTtlMs, int refreshMs, long seed, Progress progress) {

        /**
         * The defaults, overridden by {@code --name=value} or {@code --name value} options.
         *
         * @throws IllegalArgumentException naming the option and the value, for an unknown option, a missing
         *                                  or malformed value, a value out of range, or an option given twice
         */
        static Settings parse(String... args) {
            Map<Option, String> given = new EnumMap<>(Option.class);
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") || arg.length() == 2) {
                    throw new IllegalArgumentException("expected an option --name=value but got '" + arg + "'");
                }
                int eq = arg.indexOf('=');
                Option option = Option.named(eq < 0 ? arg.substring(2) : arg.substring(2, eq));
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + option.flag + " needs a value, e.g. --" + option.flag
                            + "=" + option.defaultValue);
                }
                if (given.put(option, value) != null) {
                    throw new IllegalArgumentException("--" + option.flag + " given twice");
                }
            }
            Values v = new Values(given);
            return new Settings(v.integer(Option.PRODUCTS, 1, 1_000_000), v.integer(Option.WAREHOUSES, 1, 100),
                    v.integer(Option.STOCK, 1, 1_000_000), v.integer(Option.BUYERS, 1, 1_000_000),
                    v.integer(Option.THREADS, 1, 1_024), v.decimal(Option.SECONDS, 0.1, 3_600),
                    v.integer(Option.RATE, 0, 1_000_000), v.integer(Option.PAY_MS, 0, 60_000),
                    v.decimal(Option.ABANDON, 0, 1), v.integer(Option.HOLD_TTL_MS, 1, 600_000),
                    v.integer(Option.REFRESH_MS, 1, 3_600_000), v.integer(Option.SEED, Long.MIN_VALUE, Long.MAX_VALUE),
                    v.progress());
        }
    }

    /** The options given, read with their defaults and checked against their ranges. */
    private record Values(Map<Option, String> given) {
        private String text(Option o) {
            return given.getOrDefault(o, o.defaultValue).trim();
        }

        int integer(Option o, int min, int max) {
            return (int) integer(o, min, (long) max);
        }

        long integer(Option o, long min, long max) {
            String text = text(o);
            try {
                long value = Long.parseLong(text.replace("_", ""));
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below, with the range
            }
            throw new IllegalArgumentException("--" + o.flag + " must be an integer" + range(min, max) + " but was '"
                    + text + "'");
        }

        double decimal(Option o, double min, double max) {
            String text = text(o);
            try {
                double value = Double.parseDouble(text);
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below, with the range
            }
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--%s must be a number from %s to %s but "
                    + "was '%s'", o.flag, plain(min), plain(max), text));
        }

        Progress progress() {
            String text = text(Option.PROGRESS);
            for (Progress p : Progress.values()) {
                if (p.name().equalsIgnoreCase(text)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--progress must be auto, live, lines or off but was '" + text + "'");
        }

        private static String range(long min, long max) {
            return min == Long.MIN_VALUE ? "" : String.format(Locale.ROOT, " from %,d to %,d", min, max);
        }

        private static String plain(double d) {
            return d == Math.rint(d) ? String.format(Locale.ROOT, "%,d", (long) d) : Double.toString(d);
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final boolean live;
    private final InventoryLedger ledger;
    private final StoreTraffic store;
    private final FlashSaleBuyers sale;
    /** Length of the last live progress line, to blank its tail. Progress printer thread only. */
    private int lastLineLength;
    /** {@link System#nanoTime()} when the run began. */
    private final long began = System.nanoTime();

    private FlashSale(Settings settings, PrintStream out, boolean live) {
        this.settings = settings;
        this.out = out;
        this.live = live;
        this.ledger = InventoryLedger.builder()
                .retainEndedReservations(Math.max(100_000, settings.buyers())) // every cart id stays single-use
                .build();
        this.store = new StoreTraffic(ledger, settings.products(), settings.warehouses(), settings.seed());
        this.sale = new FlashSaleBuyers(ledger, settings);
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err, onTerminal()));
    }

    /** Whether stdout is a terminal, on JDK 17 to 21 (console or null) and 22+ (a console even when redirected). */
    private static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException beforeJdk22) {
            return true; // before JDK 22 there is a console only on a terminal
        }
    }

    /** As {@link #run(String[], PrintStream, PrintStream, boolean)}, not on a terminal. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        return run(args, out, err, false);
    }

    /**
     * Runs the sale: progress and summary to {@code out}, usage errors to {@code err}.
     *
     * @param terminal whether {@code out} is a terminal (for {@code --progress=auto})
     * @return the exit status (see the class comment)
     * @throws IllegalStateException if a checkout or a store feeder failed unexpectedly, or the sale did not end
     *                               in time
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return EXIT_OK;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("FlashSale: " + e.getMessage());
            err.println("Run with --help for the options.");
            return EXIT_USAGE;
        }
        boolean live = settings.progress() == Progress.LIVE || settings.progress() == Progress.AUTO && terminal;
        return new FlashSale(settings, out, live).play();
    }

    private int play() throws InterruptedException {
        Settings s = settings;
        store.stock();
        ledger.apply(InventoryEvent.stockReceived("RCPT-FLASH", PRODUCT, WAREHOUSE, s.stock(), Instant.now()));
        out.printf(Locale.ROOT, "Store: %,d products x %,d warehouses, stocked by %,d stock_received events; "
                        + "background: %s.%n", s.products(), s.warehouses(), store.eventsApplied(), s.rate() == 0
                        ? "none" : String.format(Locale.ROOT, "~%,d events/s on %d threads", s.rate(), FEEDER_THREADS));
        out.printf(Locale.ROOT, "Flash sale: %,d units of %s at %s; %,d buyers over %s s on %d checkout threads; "
                        + "%.0f%% walk away; hold time to live %,d ms.%n", s.stock(), PRODUCT, WAREHOUSE, s.buyers(),
                Values.plain(s.seconds()), s.threads(), s.abandon() * 100, s.holdTtlMs());
        out.printf(Locale.ROOT, "Each buyer also tries read-then-order against a view of %s refreshed every %,d ms "
                + "(the article's streaming database refreshes at a 1 s barrier by default).%n", PRODUCT,
                s.refreshMs());
        if (s.progress() != Progress.OFF) {
            out.printf(Locale.ROOT, "Progress: time since start, store events applied, reservations of %s accepted "
                    + "and rejected, holds active, %s sellable, what the view shows.%n", PRODUCT, PRODUCT);
        }
        out.println();

        ScheduledExecutorService checkouts = daemonPool(s.threads(), "checkout");
        ScheduledExecutorService timers = daemonPool(2, "sale-timer");
        try {
            timers.scheduleAtFixedRate(ledger::expireHolds, EXPIRY_SWEEP_MS, EXPIRY_SWEEP_MS, TimeUnit.MILLISECONDS);
            if (s.progress() != Progress.OFF) {
                long every = live ? 200 : 1_000;
                timers.scheduleAtFixedRate(this::printProgress, every, every, TimeUnit.MILLISECONDS);
            }
            store.start(s.rate(), FEEDER_THREADS);
            long opening = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OPENING_DELAY_MS);
            sale.open(opening, checkouts, timers);
            long limitMs = OPENING_DELAY_MS + (long) (s.seconds() * 1_000) + 2L * s.payMs() + 120_000;
            if (!sale.await(limitMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the sale did not end within " + limitMs + " ms");
            }
            store.stop();
            awaitLapsedHolds();
        } finally {
            checkouts.shutdownNow();
            timers.shutdownNow();
            timers.awaitTermination(10, TimeUnit.SECONDS);
            store.halt();
        }
        if (s.progress() != Progress.OFF) {
            printProgress();
            if (live) {
                out.println();
            }
        }
        return summarize();
    }

    /** Waits until the holds left to lapse have lapsed: their time to live, and a sweep, at most. */
    private void awaitLapsedHolds() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.holdTtlMs() + 1_000L);
        while (ledger.held(PRODUCT, WAREHOUSE) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // a read never counts a hold whose time to live has passed
        }
        ledger.expireHolds();
    }

    private void printProgress() {
        FlashSaleBuyers.Tally t = sale.ledger();
        String line = String.format(Locale.ROOT, "%5.1f s  events applied %,d  reserved %,d  rejected %,d  holds "
                        + "active %,d  %s sellable %,d  view %,d",
                (System.nanoTime() - began) / 1e9, store.eventsApplied(), t.gotProduct.sum(), t.turnedAway.sum(),
                ledger.activeHolds(), PRODUCT, ledger.sellable(PRODUCT, WAREHOUSE), sale.view().shown());
        if (live) {
            int blank = Math.max(0, lastLineLength - line.length());
            lastLineLength = line.length();
            out.print("\r" + line + " ".repeat(blank));
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Prints the summary; returns the exit status. */
    private int summarize() {
        Settings s = settings;
        FlashSaleBuyers.Tally a = sale.ledger(), b = sale.readThenOrder();
        long sold = a.unitsSold.sum();
        long ledgerOversold = Math.max(0, sold - s.stock());
        long viewSold = b.unitsSold.sum();
        long viewOversold = Math.max(0, -sale.readThenOrderTrueCount());
        Position hot = ledger.position(PRODUCT, WAREHOUSE);
        LedgerAudit audit = ledger.audit();
        long belowZero = ledger.positions().stream().filter(p -> p.available() < 0).count();
        long holds = a.gotProduct.sum();
        boolean holdsAddUp = holds == a.orders.sum() + a.released.sum() + a.lapsed.sum();
        boolean countsAddUp = s.stock() == sold + hot.sellable() + hot.held() && hot.available() == s.stock() - sold;

        out.printf(Locale.ROOT, "%nSummary after %.1f s. The same %,d buyers at the same instants, sold two ways:%n%n",
                (System.nanoTime() - began) / 1e9, s.buyers());
        String row = "%-34s %22s %26s%n";
        out.printf(Locale.ROOT, row, "", "ledger: tryReserve,", "read-then-order: view");
        out.printf(Locale.ROOT, row, "", "then confirm", String.format(Locale.ROOT, "refreshed every %,d ms",
                s.refreshMs()));
        out.printf(Locale.ROOT, row, "held / saw enough in the view", n(a.gotProduct.sum()), n(b.gotProduct.sum()));
        out.printf(Locale.ROOT, row, "turned away", n(a.turnedAway.sum()), n(b.turnedAway.sum()));
        out.printf(Locale.ROOT, row, "walked away without paying", n(a.walkedAway.sum()), n(b.walkedAway.sum()));
        out.printf(Locale.ROOT, row, "orders", n(a.orders.sum()), n(b.orders.sum()));
        out.printf(Locale.ROOT, row, "units sold", n(sold), n(viewSold));
        out.printf(Locale.ROOT, row, "units oversold", n(ledgerOversold), n(viewOversold));
        out.println();
        out.printf(Locale.ROOT, "Ledger: %,d holds = %,d confirmed + %,d released + %,d lapsed (%,d of them before "
                        + "paying)%s%n", holds, a.orders.sum(), a.released.sum(), a.lapsed.sum(),
                a.lapsedBeforePaying.sum(), holdsAddUp ? "" : "  <- DO NOT ADD UP");
        out.printf(Locale.ROOT, "%s at %s: stock %,d = sold %,d + sellable %,d + held %,d; available %,d%s%n", PRODUCT,
                WAREHOUSE, s.stock(), sold, hot.sellable(), hot.held(), hot.available(),
                countsAddUp ? "" : "  <- DO NOT ADD UP");
        out.printf(Locale.ROOT, "audit(): %s (%,d positions, %,d active holds); store: %,d events applied, %,d "
                        + "positions below zero%n", audit.isClean() ? "clean" : "DRIFT " + audit.discrepancies(),
                audit.positionsChecked(), audit.activeHolds(), store.eventsApplied(), belowZero);
        out.printf(Locale.ROOT, "oversold units: %,d%n", ledgerOversold);
        out.printf(Locale.ROOT, "read-then-order against a view refreshed every %,d ms: oversold units: %,d "
                + "(sold %,d of %,d; %d view refreshes)%n", s.refreshMs(), viewOversold, viewSold, s.stock(),
                sale.view().refreshes());
        out.println("(The view stands for the article's materialized view: its streaming database, RisingWave, "
                + "makes updates visible at a barrier every 1,000 ms by default (barrier_interval_ms), so every "
                + "buyer between two barriers reads the same count.)");
        boolean right = ledgerOversold == 0 && holdsAddUp && countsAddUp && audit.isClean();
        if (!right) {
            out.println("FAIL: the ledger oversold or its counts do not add up (see above).");
        }
        out.flush();
        return right ? EXIT_OK : EXIT_LEDGER_WRONG;
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String usage() {
        StringBuilder b = new StringBuilder("""
                usage: FlashSale [--name=value | --name value ...]

                A flash sale in a simulated store: thousands of buyers race for a few units of one product,
                through the ledger (tryReserve, then confirm) and, on the same arrivals, by reading a view
                refreshed every second and then ordering (the reference article's pattern). Prints progress,
                then how many units each way oversold.

                """);
        for (Option o : Option.values()) {
            b.append(String.format(Locale.ROOT, "  --%-22s %s%n", o.flag + "=" + o.defaultValue, o.help));
        }
        b.append("""
                  -h, --help               print this help

                Exit status: 0 done; 1 the ledger oversold or its counts do not add up; 64 usage error.
                """);
        return b.toString();
    }

    private static ScheduledExecutorService daemonPool(int threads, String name) {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }
}
