package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.StockAlert;
import dev.inventoryledger.core.StockAlertListener;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import dev.inventoryledger.kafka.InventoryTopics;
import dev.inventoryledger.kafka.StartPoint;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Kafka wired in a dozen lines: a storefront publishes its inventory events to Kafka, a ledger is kept
 * current from the topics and checkpointed to a file, and a restart from that file loses nothing. Nothing to
 * install: the program starts a real Kafka broker inside its own JVM ({@link LocalKafka}).
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp examples/target/inventory-examples.jar dev.inventoryledger.examples.KafkaPipeline [--name=value ...]
 * </pre>
 *
 * <ol>
 *   <li>Starts the broker on 127.0.0.1 and creates the five topics the feed reads, and its dead-letter
 *       topic.</li>
 *   <li>Publishes storefront traffic ({@link StorefrontTraffic}) with an {@link InventoryEventPublisher},
 *       from its own thread at a steady rate: a receipt per position first, then orders, cancellations,
 *       returns, holds and releases.</li>
 *   <li>Feeds a ledger from the topics with a {@link KafkaInventoryFeed} that checkpoints to a file in a
 *       temporary directory. Once a second it prints the events published and applied, the feed's lag and
 *       the sellable stock of the first three products; it prints those products' stock alerts (low stock,
 *       out of stock, back in stock, oversold) as the ledger raises them, and counts every product's. The
 *       feed applies a partition's records in order, but the partitions of different topics as they come (a
 *       fetch of one, then of another): an order can be applied before the receipt or cancellation published
 *       just before it on another topic, and raise an {@code OVERSOLD} alert the storefront never caused.
 *       The counts, once everything is applied, do not depend on that order.</li>
 *   <li>Half way, closes the feed, which writes a last checkpoint, and leaves it down for a second while
 *       the storefront goes on publishing; then starts a new ledger and feed with the same lines. The feed
 *       restores the new ledger from the checkpoint and resumes every partition at its stored offset.</li>
 *   <li>Once the traffic is over and the feed has read all of it, compares the restarted ledger's available
 *       and held at every position with the sums of the events published (counted by the traffic itself,
 *       not by a ledger), and the events the two feeds applied (their meter
 *       {@code inventory.feed.records{outcome=applied}}) with the events published; if both agree it prints
 *       {@code restart lost nothing: N events, counts match at M positions}.</li>
 *   <li>Then the feed writes a snapshot of every partition to the snapshot topic, every record of the topics
 *       is deleted (as retention would, once it passed them), and a new instance with an empty disk and no
 *       checkpoint starts from the beginning: it loads the snapshots, reads what came after them, and is ready;
 *       it prints how long that took and checks its counts against the feed's.</li>
 * </ol>
 *
 * <p>The wiring a storefront copies is the three methods {@link #publisher(String)},
 * {@link #newLedger(StockAlertListener)} and {@link #startFeed(String, InventoryLedger, Path, MeterRegistry)},
 * and the call {@code publisher.publish(event)}; the rest of this class is the demonstration around them.
 *
 * <p>Options ({@code --name=value}): {@code --products} (default {@value #DEFAULT_PRODUCTS}),
 * {@code --warehouses} ({@value #DEFAULT_WAREHOUSES}), {@code --rate} in events per second
 * ({@value #DEFAULT_RATE}), {@code --seconds} of publishing ({@value #DEFAULT_SECONDS}), {@code --seed} of the
 * traffic ({@value #DEFAULT_SEED}); {@code --help}. Exit status: {@value #EXIT_OK} the counts match;
 * {@value #EXIT_MISMATCH} they do not; {@value #EXIT_USAGE} usage error; {@value #EXIT_FAILED} the run failed
 * (broker, publisher or feed).
 */
public final class KafkaPipeline {
    static final int EXIT_OK = 0;
    static final int EXIT_MISMATCH = 1;
    static final int EXIT_USAGE = 64;
    static final int EXIT_FAILED = 70;

    static final int DEFAULT_PRODUCTS = 250;
    static final int DEFAULT_WAREHOUSES = 4;
    static final int DEFAULT_RATE = 2_000;
    static final int DEFAULT_SECONDS = 20;
    static final long DEFAULT_SEED = 1;

    static final String USAGE = """
            usage: KafkaPipeline [--name=value ...]

            Starts a Kafka broker in this JVM, publishes storefront inventory events to it, keeps a
            ledger current from the topics with a checkpoint file, restarts the ledger from that file
            half way, and checks that the restarted ledger's counts equal the sums of what was published.

              --products=N    products (default 250)
              --warehouses=N  warehouses; every product is stocked in each (default 4)
              --rate=N        events published per second after the opening receipts (default 2000)
              --seconds=N     how long to publish (default 20); the restart is half way
              --seed=N        seed of the random traffic (default 1)
              -h, --help      print this help

            Exit status: 0 counts match; 1 they do not; 64 usage error; 70 the run failed.
            """;

    /** The topics the feed reads (the article's names), and where it puts what it cannot read. */
    private static final List<String> FEED_TOPICS =
            List.of("orders", "order_cancellations", "returns", "warehouse_receipts", "reservations");
    private static final int PARTITIONS = 2;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Settings settings;
    private final PrintStream out;
    private final StorefrontTraffic traffic;
    private final List<String> watched = new ArrayList<>(); // the products whose sellable and alerts are shown
    /** Events handed to the publisher: written by the publishing thread, read by the main thread. */
    private final AtomicLong published = new AtomicLong();
    /** Alerts by type, from both ledgers: written by the feed threads, read by the main thread. */
    private final AtomicLongArray alerts = new AtomicLongArray(StockAlert.Type.values().length);
    /** Why the publishing thread stopped early; written by it before it ends, read after join(). */
    private volatile Throwable publishingFailure;
    /** Set by the main thread to stop the publishing thread early. */
    private volatile boolean stopPublishing;
    /** Both feeds' meters: the second feed's counters carry on from the first's. */
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private InventoryLedger ledger; // main thread only, as are the three below
    private KafkaInventoryFeed feed;
    private long publishingStart, appliedBeforeRestart;

    private KafkaPipeline(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.traffic = new StorefrontTraffic(settings.products(), settings.warehouses(), settings.seed());
        for (int i = 0; i < Math.min(3, settings.products()); i++) {
            watched.add(StorefrontTraffic.product(i));
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the program in this JVM, everything printed to {@code out}.
     *
     * @return the exit status (see the class comment)
     */
    static int run(String[] args, PrintStream out) {
        return run(args, out, out);
    }

    private static int run(String[] args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("KafkaPipeline: " + e.getMessage() + " (--help lists the options)");
            return EXIT_USAGE;
        }
        if (settings.help()) {
            out.print(USAGE);
            return EXIT_OK;
        }
        try {
            return new KafkaPipeline(settings, out).run();
        } catch (Exception e) {
            err.println("KafkaPipeline: the run failed: " + e);
            return EXIT_FAILED;
        } finally {
            out.flush();
        }
    }

    // ============================================================= the wiring: what a storefront copies

    /** The storefront's side: publishes its events to the five topics, keyed by product, idempotently. */
    static InventoryEventPublisher publisher(String servers) {
        return InventoryEventPublisher.builder().bootstrapServers(servers).build();
    }

    /** A ledger that tells {@code alerts} of stock transitions (below 10 units, out of stock ...). */
    static InventoryLedger newLedger(StockAlertListener alerts) {
        // and/or .listener(publisher.alertSink()): the same alerts as JSON on the topic low_stock_alerts
        return InventoryLedger.builder().lowStockThreshold(10).listener(alerts).build();
    }

    /**
     * Keeps the (new, empty) ledger current from the topics. If the checkpoint file exists, the ledger is
     * restored from it and every partition resumes at its stored offset; if not, the topics are read from
     * their beginning. The feed checkpoints every 5 s and when it is closed, and counts what it does in
     * {@code registry}.
     */
    static KafkaInventoryFeed startFeed(String servers, InventoryLedger ledger, Path checkpoint,
                                        MeterRegistry registry) {
        KafkaInventoryFeed feed = KafkaInventoryFeed.builder()
                .bootstrapServers(servers).ledger(ledger)
                .checkpoint(checkpoint)                        // restore on start, resume at its offsets
                .checkpointInterval(Duration.ofSeconds(5))     // and checkpoint every 5 s and on close
                .startFrom(KafkaInventoryFeed.Start.EARLIEST)  // only when there is no checkpoint yet
                .meterRegistry(registry)                       // inventory.feed.records{outcome}, .lag ...
                .build();
        feed.start();                                          // returns once the replica has read the backlog
        return feed;
    }

    // ============================================================= the demonstration

    private int run() throws Exception {
        long startingBroker = System.nanoTime();
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            out.printf(Locale.ROOT, "Kafka %s broker in this JVM at %s, started in %.1f s%n",
                    AppInfoParser.getVersion(), servers, seconds(System.nanoTime() - startingBroker));
            InventoryTopics.Report topics = InventoryTopics.builder().bootstrapServers(servers)
                    .partitions(PARTITIONS).replicationFactor((short) 1).retention(Duration.ofDays(7))
                    .build().create();                         // every topic the module uses, each led
            out.printf("topics %s, %d partitions each%n", String.join(", ", topics.created()), PARTITIONS);
            Path directory = Files.createTempDirectory("kafka-pipeline-");
            try (InventoryEventPublisher publisher = publisher(servers)) {
                return pipeline(kafka, publisher, directory.resolve("inventory.checkpoint"));
            } finally {
                delete(directory);
            }
        }
    }

    private int pipeline(LocalKafka kafka, InventoryEventPublisher publisher, Path checkpoint) throws Exception {
        ledger = newLedger(this::onAlert);
        feed = startFeed(kafka.bootstrapServers(), ledger, checkpoint, meters);
        out.printf("feed started: no checkpoint yet, reading the topics from the beginning; checkpoints go to %s%n",
                checkpoint);
        out.printf(Locale.ROOT, "publishing %,d opening receipts, then %,d events a second for %d s (orders, "
                        + "cancellations, returns, holds, releases, restocking), at %,d positions%n",
                traffic.positions(), settings.rate(), settings.seconds(), traffic.positions());
        Thread publishing = new Thread(() -> publish(publisher), "storefront-publisher");
        publishingStart = System.nanoTime();
        publishing.start();
        try {
            long restartAt = publishingStart + settings.seconds() * SECOND / 2;
            long nextStatus = publishingStart + SECOND;
            boolean restarted = false;
            while (publishing.isAlive()) {
                failIfStopped(feed);
                long now = System.nanoTime();
                long next = restarted ? nextStatus : Math.min(nextStatus, restartAt);
                if (next - now > 0) {
                    publishing.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now)));
                } else if (!restarted && now - restartAt >= 0) {
                    restart(kafka.bootstrapServers(), checkpoint, publishing);
                    restarted = true;
                } else {
                    status();
                    while (System.nanoTime() - nextStatus >= 0) {
                        nextStatus += SECOND;
                    }
                }
            }
            if (publishingFailure != null) {
                throw new IllegalStateException("publishing stopped: " + publishingFailure, publishingFailure);
            }
            if (!restarted) {
                throw new IllegalStateException("publishing ended before the restart"); // a bug: it lasts --seconds
            }
            return finish(kafka, publisher);
        } finally {
            stopPublishing = true;
            publishing.join();
            feed.close();
        }
    }

    /**
     * Closes the feed, leaves it down for a second while the storefront publishes on, then starts a new
     * ledger and feed with the same lines as the first: the checkpoint file is there now.
     */
    private void restart(String servers, Path checkpoint, Thread publishing) throws Exception {
        feed.close(); // stops after the record in hand and writes a last checkpoint
        appliedBeforeRestart = applied();
        out.printf(Locale.ROOT, "%4ds  feed closed after %,d events; its checkpoint (%,d bytes) holds them and "
                + "their offsets. The storefront goes on publishing.%n", elapsedSeconds(), appliedBeforeRestart,
                Files.size(checkpoint));
        publishing.join(1_000);
        ledger = newLedger(this::onAlert);
        feed = startFeed(servers, ledger, checkpoint, meters);
        out.printf(Locale.ROOT, "%4ds  new ledger and feed: restored from the checkpoint (%,d positions), every "
                        + "partition resuming at its stored offset; %,d events published meanwhile%n",
                elapsedSeconds(), ledger.positions().size(), published.get() - appliedBeforeRestart);
    }

    /** Once the traffic is over: waits until the feed has applied all of it, then checks the counts. */
    private int finish(LocalKafka kafka, InventoryEventPublisher publisher) throws Exception {
        long publishingNanos = System.nanoTime() - publishingStart;
        publisher.flush();
        if (publisher.failure() != null) {
            throw new IllegalStateException("an event could not be published: " + publisher.failure(),
                    publisher.failure());
        }
        long caughtUp = awaitCaughtUp(feed, kafka.endOffsets(FEED_TOPICS));
        status();
        out.printf(Locale.ROOT, "published %,d events in %.1f s; the feed had applied the last of them %.2f s "
                        + "later%n", published.get(), seconds(publishingNanos),
                seconds(caughtUp - publishingStart - publishingNanos));
        out.printf(Locale.ROOT, "alerts, every product: %,d low stock, %,d out of stock, %,d back in stock, "
                        + "%,d oversold%n", alerts.get(StockAlert.Type.LOW_STOCK.ordinal()),
                alerts.get(StockAlert.Type.OUT_OF_STOCK.ordinal()),
                alerts.get(StockAlert.Type.BACK_IN_STOCK.ordinal()),
                alerts.get(StockAlert.Type.OVERSOLD.ordinal()));
        int verified = verify();
        return verified == EXIT_OK ? joinFromSnapshots(kafka) : verified;
    }

    /**
     * The feed writes a snapshot of every partition to the snapshot topic; retention then passes every record
     * (the topics are truncated up to their ends); a new instance with an empty disk and no checkpoint starts
     * from the snapshots alone, and its counts are compared with the feed's.
     */
    private int joinFromSnapshots(LocalKafka kafka) throws Exception {
        feed.snapshotNow().get(60, TimeUnit.SECONDS);
        kafka.deleteRecordsBefore(kafka.endOffsets(FEED_TOPICS));
        InventoryLedger fresh = InventoryLedger.builder().build();
        long began = System.nanoTime();
        try (KafkaInventoryFeed joining = KafkaInventoryFeed.builder().bootstrapServers(kafka.bootstrapServers())
                .ledger(fresh).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            joining.start();                                  // the newest whole snapshot, then the log after it
            double ready = seconds(System.nanoTime() - began);
            long fromSnapshots = joining.status().start().entrySet().stream()
                    .filter(e -> e.getValue().origin() == StartPoint.Origin.SNAPSHOT)
                    .map(e -> e.getKey().partition()).distinct().count();
            boolean same = sorted(fresh.positions()).equals(sorted(ledger.positions()));
            out.printf(Locale.ROOT, "snapshots written, then every record deleted (retention passed them): a new "
                            + "instance with an empty disk was ready in %.2f s from the snapshots of %d partitions, "
                            + "reading %,d records after them; %s at %,d positions%n", ready, fromSnapshots,
                    joining.status().readAtStart(), same ? "counts match" : "COUNTS DIFFER", fresh.positions().size());
            return same ? EXIT_OK : EXIT_MISMATCH;
        }
    }

    private static List<dev.inventoryledger.core.Position> sorted(List<dev.inventoryledger.core.Position> positions) {
        List<dev.inventoryledger.core.Position> out = new ArrayList<>(positions);
        out.sort(java.util.Comparator.comparing(dev.inventoryledger.core.Position::productId)
                .thenComparing(dev.inventoryledger.core.Position::warehouseId));
        return out;
    }

    /** The publishing thread: the opening receipts at once, then the traffic at the rate asked for. */
    private void publish(InventoryEventPublisher publisher) {
        try {
            for (InventoryEvent receipt : traffic.openingStock(Instant.now())) {
                publisher.publish(receipt); // asynchronous: a failure shows in publisher.failure()
                published.incrementAndGet();
            }
            long total = (long) settings.rate() * settings.seconds();
            long start = System.nanoTime();
            for (long sent = 0; sent < total && !stopPublishing; ) {
                long due = Math.min(total, (System.nanoTime() - start) * settings.rate() / SECOND);
                if (sent == due) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pacing, not waiting for a state
                }
                for (; sent < due; sent++) {
                    publisher.publish(traffic.next(Instant.now()));
                    published.incrementAndGet();
                }
            }
        } catch (RuntimeException | Error e) {
            publishingFailure = e;
        }
    }

    /** Told on a feed's thread of every stock transition; prints those of the watched products. */
    private void onAlert(StockAlert alert) {
        alerts.incrementAndGet(alert.type().ordinal());
        if (watched.contains(alert.productId())) {
            out.printf(Locale.ROOT, "      alert  %-13s %s at %s: available %d -> %d%n", alert.type(),
                    alert.productId(), alert.warehouseId(), alert.before(), alert.available());
        }
    }

    private void status() {
        StringBuilder sellable = new StringBuilder();
        for (String product : watched) {
            sellable.append(sellable.length() == 0 ? "" : ", ").append(product).append(' ')
                    .append(ledger.sellable(product));
        }
        long alertCount = 0;
        for (int i = 0; i < alerts.length(); i++) {
            alertCount += alerts.get(i);
        }
        long lag = feed.lag();
        out.printf(Locale.ROOT, "%4ds  published %,9d  applied %,9d  lag %7s  sellable %s  alerts %,d%n",
                elapsedSeconds(), published.get(), applied(),
                lag < 0 ? "?" : String.format(Locale.ROOT, "%,d", lag), sellable, alertCount);
    }

    /** Waits until the feed has read every partition up to {@code end}; returns when (System.nanoTime()). */
    private static long awaitCaughtUp(KafkaInventoryFeed feed, Map<TopicPartition, Long> end) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            failIfStopped(feed);
            Map<TopicPartition, Long> applied = feed.appliedOffsets();
            if (end.entrySet().stream().allMatch(e -> applied.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
                return System.nanoTime();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the feed has not read everything published after 60 s: at "
                        + applied + ", published up to " + end);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Compares every position with the sums of what was published, and the events the feeds applied with
     * the events published.
     */
    private int verify() {
        int differ = 0;
        String first = null;
        for (int p = 0; p < traffic.positions(); p++) {
            String product = traffic.productOf(p);
            String warehouse = traffic.warehouseOf(p);
            long available = ledger.available(product, warehouse);
            long held = ledger.held(product, warehouse);
            if (available != traffic.expectedAvailable(p) || held != traffic.expectedHeld(p)) {
                differ++;
                if (first == null) {
                    first = String.format(Locale.ROOT, "%s at %s: available %d, held %d; published %d, %d", product,
                            warehouse, available, held, traffic.expectedAvailable(p), traffic.expectedHeld(p));
                }
            }
        }
        int extra = ledger.positions().size() - traffic.positions();
        long applied = applied();
        out.printf(Locale.ROOT, "the feeds applied %,d events before the restart and %,d after: %,d, for %,d "
                + "published%n", appliedBeforeRestart, applied - appliedBeforeRestart, applied, published.get());
        if (differ == 0 && extra == 0 && applied == published.get()) {
            out.printf(Locale.ROOT, "restart lost nothing: %,d events, counts match at %,d positions%n",
                    published.get(), traffic.positions());
            return EXIT_OK;
        }
        out.println("the restart lost or repeated something:");
        if (differ > 0) {
            out.printf(Locale.ROOT, "  %,d of %,d positions differ from what was published (first: %s)%n", differ,
                    traffic.positions(), first);
        }
        if (extra != 0) {
            out.printf(Locale.ROOT, "  the ledger has %,d positions, %,d were published to%n",
                    ledger.positions().size(), traffic.positions());
        }
        if (applied != published.get()) {
            out.printf(Locale.ROOT, "  the feeds applied %,d events, %,d were published%n", applied, published.get());
        }
        return EXIT_MISMATCH;
    }

    private static void failIfStopped(KafkaInventoryFeed feed) {
        if (feed.failure() != null) {
            throw new IllegalStateException("the feed stopped: " + feed.failure(), feed.failure());
        }
    }

    /** Events the feeds have applied so far, both of them: their meter, kept in one registry. */
    private long applied() {
        return (long) meters.get("inventory.feed.records").tag("outcome", "applied").counter().count();
    }

    private long elapsedSeconds() {
        return Math.round(seconds(System.nanoTime() - publishingStart));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The command line: {@code --name=value} options, or {@code --help}. */
    record Settings(int products, int warehouses, int rate, int seconds, long seed, boolean help) {
        static Settings parse(String[] args) {
            int products = DEFAULT_PRODUCTS, warehouses = DEFAULT_WAREHOUSES, rate = DEFAULT_RATE;
            int seconds = DEFAULT_SECONDS;
            long seed = DEFAULT_SEED;
            for (String arg : args) {
                if (arg.equals("-h") || arg.equals("--help")) {
                    return new Settings(products, warehouses, rate, seconds, seed, true);
                }
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --name=value");
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? null : arg.substring(eq + 1);
                switch (name) {
                    case "--products" -> products = (int) number(name, value, 1, 100_000);
                    case "--warehouses" -> warehouses = (int) number(name, value, 1, 100);
                    case "--rate" -> rate = (int) number(name, value, 1, 100_000);
                    case "--seconds" -> seconds = (int) number(name, value, 1, 3_600);
                    case "--seed" -> seed = number(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if ((long) products * warehouses > 1_000_000) {
                throw new IllegalArgumentException("--products times --warehouses must be at most 1000000 but was "
                        + (long) products * warehouses);
            }
            return new Settings(products, warehouses, rate, seconds, seed, false);
        }

        private static long number(String name, String value, long min, long max) {
            if (value == null) {
                throw new IllegalArgumentException(name + " needs a value, e.g. " + name + "=" + Math.max(min, 1));
            }
            try {
                long n = Long.parseLong(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException notANumber) {
                // reported below, with the range
            }
            throw new IllegalArgumentException(name + " must be a whole number"
                    + (min == Long.MIN_VALUE ? "" : " from " + min + " to " + max) + " but was '" + value + "'");
        }
    }
}
