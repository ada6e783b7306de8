package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.bench.Peer;
import dev.inventoryledger.bench.Store;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.kafka.Fencing;
import dev.inventoryledger.kafka.InventoryCluster;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import dev.inventoryledger.kafka.InventoryTopics;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Decisions of an {@link InventoryCluster} of three instances on this machine, beside the same checkout on
 * PostgreSQL and Redis: latency at a fixed offered load (open loop, measured from each call's intended start,
 * so that a stall is not hidden) for decisions taken by another instance (remote) and by the caller's own
 * (local); the throughput of one hot SKU through its owner; and how long after {@code close()} the hot SKU's
 * holds are decided again. The broker runs in this JVM, as do the three instances (each with its own clients
 * and ledger). The server peers run when {@code -Dbench.postgres} / {@code -Dbench.redis} name them (see
 * {@code postgres.sh}, {@code redis.sh}): three threads with a connection each stand for three storefront
 * processes. The cluster's runs are made once per {@link Fencing} mode, each on a broker of its own, and end with
 * an owner in a child JVM frozen while the shop publishes plain events on its partitions.
 *
 * <pre>java -cp inventory-bench/target/benchmarks.jar dev.inventoryledger.bench.kafka.ClusterBench [seconds]</pre>
 */
public final class ClusterBench {
    private static final int PARTITIONS = 6, SPREAD = 240, RATE = 1_000;
    private static final long STOCK = 1_000_000_000L;
    private static final String WH = "WH-1", HOT = "HOT-1";
    private static final Duration TTL = Duration.ofMinutes(30);
    private static final AtomicLong IDS = new AtomicLong();
    /** Where the table goes: standard output, or a test's stream. */
    private static java.io.PrintStream out = System.out;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 20, System.out);
    }

    /** Every run, {@code seconds} each after a quarter of that to warm up, the table printed to {@code to}. */
    static synchronized void run(int seconds, java.io.PrintStream to) throws Exception {
        out = to;
        out.printf("# ClusterBench: %d s per run after a %d s warm-up, %d partitions, %d decisions/s offered%n",
                seconds, seconds / 4, PARTITIONS, RATE);
        out.println("| run | decisions | per second | p50 ms | p99 ms | p99.9 ms | max ms |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Fencing fencing : List.of(Fencing.EPOCH, Fencing.TRANSACTIONS)) {
            cluster(fencing, seconds);
        }
        for (String impl : List.of(Peer.POSTGRES, Peer.REDIS)) {
            String property = impl.equals(Peer.POSTGRES) ? "bench.postgres" : "bench.redis";
            if (System.getProperty(property) == null) {
                out.printf("# %s skipped: -D%s is not set%n", impl, property);
                continue;
            }
            try (Peer peer = Peer.named(impl)) {
                Store store = Store.of(SPREAD, 1);
                peer.load(store);
                peerOpenLoop(impl + ", spread, 3 client connections", peer, store, seconds);
                peerClosedLoop(impl + ", hot SKU, 12 client connections", peer, store, 12, seconds);
            }
        }
    }

    /** Every cluster run with this fencing, on a broker of its own. */
    private static void cluster(Fencing fencing, int seconds) throws Exception {
        String mode = fencing.name().toLowerCase(java.util.Locale.ROOT) + ": ";
        try (InProcessKafka kafka = InProcessKafka.start()) {
            String servers = kafka.bootstrapServers();
            InventoryTopics.builder().bootstrapServers(servers).partitions(PARTITIONS).replicationFactor((short) 1)
                    .retention(Duration.ofDays(7)).build().create();
            stock(servers);
            List<InventoryCluster> instances = new ArrayList<>();
            for (String id : List.of("c1", "c2", "c3")) {
                instances.add(instance(servers, id, fencing));
            }
            awaitSettled(instances);
            InventoryCluster asker = instances.get(0);
            List<String> remote = new ArrayList<>(), local = new ArrayList<>();
            for (int p = 0; p < SPREAD; p++) {
                (asker.owns(product(p)) ? local : remote).add(product(p));
            }
            sequential(mode + "remote, one call at a time", asker, remote, seconds);
            sequential(mode + "local, one call at a time", asker, local, seconds);
            openLoop(mode + "remote, spread, 1 caller instance", asker, remote, seconds);
            openLoop(mode + "local, spread, 1 caller instance", asker, local, seconds);
            InventoryCluster owner = instances.stream().filter(c -> c.owns(HOT)).findFirst().orElseThrow();
            closedLoop(mode + "hot SKU, 16 callers on its owner (local)", List.of(owner), 16, seconds);
            closedLoop(mode + "hot SKU, 16 callers on each of the three", instances, 16, seconds);
            failoverAfterClose(mode, owner, instances);
            instances.forEach(InventoryCluster::close);
            frozenOwner(mode, servers, fencing, seconds);
        }
    }

    private static InventoryCluster instance(String servers, String id, Fencing fencing) {
        InventoryCluster c = InventoryCluster.builder().bootstrapServers(servers).instanceId(id).fencing(fencing)
                .ledger(InventoryLedger.builder().build()).build();
        c.start();
        return c;
    }

    /**
     * An owner in a child JVM, frozen (SIGSTOP) while another instance asks it for 200 checkouts a second (a hold,
     * then its confirm) and the
     * shop publishes plain orders (100 a second) on one of its partitions, read by a {@code read_committed}
     * consumer, as a replica or RisingWave reads them. Rows: how long each plain order took from its
     * publication to that reader, before the freeze (the price of the owner's transactions, if any, on the
     * shop's own events) and from the freeze until the frozen owner's partitions moved (the stall); then how long
     * they took to move.
     */
    private static void frozenOwner(String mode, String servers, Fencing fencing, int seconds) throws Exception {
        String javaCommand = ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(javaCommand, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                classpath, ClusterBenchChild.class.getName(), servers, fencing.name())
                .redirectErrorStream(true).start();
        java.io.BufferedReader childOut = new java.io.BufferedReader(new java.io.InputStreamReader(
                child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (String line; !"READY".equals(line = childOut.readLine()); ) {
                if (line == null) {
                    throw new IllegalStateException("the frozen owner's JVM ended before it was ready");
                }
            }
            Thread drain = new Thread(() -> {
                try {
                    while (childOut.readLine() != null) {
                        // its warnings, once woken, are not the bench's
                    }
                } catch (java.io.IOException gone) {
                    // the process is gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            try (InventoryCluster asker = instance(servers, "asker", fencing)) {
                long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (asker.ownedPartitions() < PARTITIONS / 2) { // cooperative: the child keeps the rest
                    if (System.nanoTime() > settle) {
                        throw new IllegalStateException("the asker was given no partitions");
                    }
                    LockSupport.parkNanos(10_000_000L);
                }
                Thread.sleep(2_000); // the last rebalance settled
                List<String> theirs = new ArrayList<>();
                for (int p = 0; p < SPREAD; p++) {
                    if (!asker.owns(product(p))) {
                        theirs.add(product(p));
                    }
                }
                String shopProduct = theirs.get(0);
                Recorder steady = new Recorder(3), frozen = new Recorder(3);
                AtomicBoolean running = new AtomicBoolean(true), stopped = new AtomicBoolean();
                Thread holds = new Thread(() -> { // checkouts: a hold, and its confirm once held
                    for (int i = 0; running.get(); i++) {
                        String id = "z-" + IDS.incrementAndGet();
                        asker.tryReserve(id, List.of(ReservationLine.of(theirs.get(i % theirs.size()), WH, 1)), TTL)
                                .thenAccept(r -> {
                                    if (r.accepted()) {
                                        asker.confirm(id, "O-" + id);
                                    }
                                });
                        LockSupport.parkNanos(5_000_000L);
                    }
                });
                holds.start();
                try (PlainOrders shop = new PlainOrders(servers, shopProduct, steady, frozen, stopped)) {
                    shop.start();
                    Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(2, seconds / 4)));
                    steady.reset();
                    Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(2, seconds / 2)));
                    Histogram before = steady.getIntervalHistogram();
                    // armed beforehand, and sent when the shop's partition has a transaction open (if it ever
                    // has, within 3 s): the freeze then catches the owner with decisions written, not committed
                    Process stopper = new ProcessBuilder("sh", "-c", "read go; exec kill -STOP " + child.pid())
                            .start();
                    boolean open = fencing == Fencing.TRANSACTIONS && shop.awaitOpenTransaction(Duration.ofSeconds(3));
                    long stop = System.nanoTime();
                    stopper.getOutputStream().write('\n');
                    stopper.getOutputStream().flush();
                    stopper.waitFor();
                    stopped.set(true);
                    long deadline = stop + TimeUnit.SECONDS.toNanos(60);
                    while (asker.ownedPartitions() < PARTITIONS || !asker.owns(shopProduct)) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the frozen owner's partitions did not move in 60 s");
                        }
                        LockSupport.parkNanos(10_000_000L);
                    }
                    long moved = System.nanoTime();
                    Thread.sleep(2_000); // the orders published meanwhile are read
                    running.set(false);
                    Histogram during = frozen.getIntervalHistogram();
                    print(mode + "shop's plain orders on an owner's partition, to a read_committed reader", before,
                            Math.max(2, seconds / 2));
                    out.printf("| %sthe same while its owner is frozen (SIGSTOP%s), until its partitions moved (%d ms) "
                                    + "| %,d | | %.2f | %.2f | %.2f | %.1f |%n", mode,
                            open ? " with a transaction open on it" : "", (moved - stop) / 1_000_000,
                            during.getTotalCount(), during.getValueAtPercentile(50) / 1e6,
                            during.getValueAtPercentile(99) / 1e6, during.getValueAtPercentile(99.9) / 1e6,
                            during.getMaxValue() / 1e6);
                }
                holds.join();
            }
        } finally {
            signal("CONT", child);
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void signal(String signal, Process p) throws Exception {
        if (new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /**
     * The shop's own plain orders for one product, 100 a second, and a {@code read_committed} reader of their
     * partition: each order's time from its publication to the reader, into {@code steady}, or into
     * {@code frozen} once {@code stopped} is set.
     */
    private static final class PlainOrders implements AutoCloseable {
        private final InventoryEventPublisher publisher;
        private final org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> reader;
        private final java.util.Map<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true), stopped;
        private final String servers, product;
        private final org.apache.kafka.common.TopicPartition tp;
        private final Recorder steady, frozen;
        private final List<Thread> threads = new ArrayList<>();

        PlainOrders(String servers, String product, Recorder steady, Recorder frozen, AtomicBoolean stopped) {
            this.servers = servers;
            this.product = product;
            this.steady = steady;
            this.frozen = frozen;
            this.stopped = stopped;
            this.publisher = InventoryEventPublisher.builder().bootstrapServers(servers).instanceId("shop").build();
            this.reader = new org.apache.kafka.clients.consumer.KafkaConsumer<>(java.util.Map.of(
                    "bootstrap.servers", servers, "isolation.level", "read_committed"),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                    product.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
            tp = new org.apache.kafka.common.TopicPartition("orders", partition);
            reader.assign(List.of(tp));
            reader.seekToEnd(List.of(tp));
            reader.position(tp);
        }

        /** True once the partition has records past its last stable offset (an open transaction), within the bound. */
        boolean awaitOpenTransaction(Duration bound) {
            try (var committed = ends("read_committed"); var all = ends("read_uncommitted")) {
                long deadline = System.nanoTime() + bound.toNanos();
                while (System.nanoTime() < deadline) {
                    if (all.endOffsets(List.of(tp)).get(tp) > committed.endOffsets(List.of(tp)).get(tp)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> ends(String isolation) {
            return new org.apache.kafka.clients.consumer.KafkaConsumer<>(java.util.Map.of("bootstrap.servers",
                    servers, "isolation.level", isolation),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        }

        void start() {
            publisher.start();
            threads.add(new Thread(() -> {
                while (running.get()) {
                    String id = "POS-" + IDS.incrementAndGet();
                    acked.put(id, System.nanoTime());
                    publisher.publish(InventoryEvent.orderPlaced(id, product, WH, 1, Instant.now()));
                    publisher.flush();
                    LockSupport.parkNanos(10_000_000L);
                }
            }));
            threads.add(new Thread(() -> {
                while (running.get()) {
                    for (var r : reader.poll(Duration.ofMillis(50))) {
                        if (r.value() == null) {
                            continue; // an owner's claim
                        }
                        String value = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
                        int at = value.indexOf("POS-");
                        if (at < 0) {
                            continue; // a decision of the cluster's
                        }
                        String id = value.substring(at, value.indexOf('"', at));
                        Long sent = acked.remove(id);
                        if (sent != null) {
                            (stopped.get() ? frozen : steady).recordValue(Math.max(0, System.nanoTime() - sent));
                        }
                    }
                }
            }));
            threads.forEach(Thread::start);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            reader.close();
            publisher.close();
        }
    }

    private static String product(int p) {
        return String.format("SKU-%05d", p);
    }

    private static void stock(String servers) {
        try (InventoryEventPublisher publisher = InventoryEventPublisher.builder().bootstrapServers(servers).build()) {
            publisher.start();
            Instant t = Instant.now();
            for (int p = 0; p < SPREAD; p++) {
                publisher.publish(InventoryEvent.stockReceived("R-" + p, product(p), WH, STOCK, t));
            }
            publisher.publish(InventoryEvent.stockReceived("R-HOT", HOT, WH, STOCK, t));
            publisher.flush();
        }
    }

    private static void awaitSettled(List<InventoryCluster> instances) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (instances.stream().mapToInt(InventoryCluster::ownedPartitions).sum() != PARTITIONS
                || instances.stream().anyMatch(c -> c.ledger().sellable(HOT, WH) != STOCK)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster did not settle");
            }
            LockSupport.parkNanos(10_000_000);
        }
        LockSupport.parkNanos(2_000_000_000L); // the last rebalance's claims read back
    }

    /** {@value #RATE} holds a second from one instance, each timed from its intended start to its answer. */
    private static void openLoop(String name, InventoryCluster asker, List<String> products, int seconds) {
        Recorder recorder = new Recorder(3);
        long period = 1_000_000_000L / RATE;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 4);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        long next = System.nanoTime();
        int i = 0;
        AtomicLong unknown = new AtomicLong();
        List<CompletableFuture<?>> last = new ArrayList<>();
        boolean measuring = false;
        while (next < end) {
            long intended = next;
            next += period;
            while (System.nanoTime() < intended) {
                LockSupport.parkNanos(intended - System.nanoTime());
            }
            if (!measuring && intended >= warmEnd) {
                measuring = true;
                recorder.reset();
            }
            String product = products.get(i++ % products.size());
            CompletableFuture<ReservationResult> f = asker.tryReserve("b-" + IDS.incrementAndGet(),
                    List.of(ReservationLine.of(product, WH, 1)), TTL);
            f.whenComplete((r, e) -> {
                if (r == null || !r.accepted()) {
                    unknown.incrementAndGet();
                } else {
                    recorder.recordValue(System.nanoTime() - intended);
                }
            });
            if (next >= end) {
                last.add(f);
            }
        }
        last.forEach(CompletableFuture::join);
        LockSupport.parkNanos(200_000_000L);
        print(name + (unknown.get() > 0 ? " (" + unknown.get() + " not accepted)" : ""), recorder.getIntervalHistogram(),
                seconds);
    }

    /** One caller, each call after the last one's answer: the latency of a decision on a quiet cluster. */
    private static void sequential(String name, InventoryCluster asker, List<String> products, int seconds) {
        Recorder recorder = new Recorder(3);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 4);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; System.nanoTime() < end; i++) {
            long began = System.nanoTime();
            asker.tryReserve("s-" + IDS.incrementAndGet(), List.of(ReservationLine.of(products.get(i % products.size()),
                    WH, 1)), TTL).join();
            if (began >= warmEnd) {
                recorder.recordValue(System.nanoTime() - began);
            }
        }
        print(name, recorder.getIntervalHistogram(), seconds);
    }

    /** Callers on these instances, {@code perInstance} each, holding 1 unit of the hot SKU as fast as answered. */
    private static void closedLoop(String name, List<InventoryCluster> on, int perInstance, int seconds)
            throws Exception {
        List<Callers> callers = new ArrayList<>();
        for (InventoryCluster c : on) {
            for (int t = 0; t < perInstance; t++) {
                callers.add(() -> () -> c.tryReserve("h-" + IDS.incrementAndGet(),
                        List.of(ReservationLine.of(HOT, WH, 1)), TTL).join().accepted());
            }
        }
        measureCallers(name, callers, seconds);
    }

    /** One caller's call: true if it counts. Closed when its thread ends. */
    private interface Caller extends AutoCloseable {
        boolean call() throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /** Opens one thread's caller, on that thread. */
    private interface Callers {
        Caller open() throws Exception;
    }

    /** Each caller on its own thread, calling as fast as answered; timed after a quarter of the run's warm-up. */
    private static void measureCallers(String name, List<Callers> callers, int seconds) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicBoolean measuring = new AtomicBoolean(), running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (Callers opening : callers) {
            Thread thread = new Thread(() -> {
                try (Caller caller = opening.open()) {
                    while (running.get()) {
                        long began = System.nanoTime();
                        if (caller.call() && measuring.get()) {
                            recorder.recordValue(System.nanoTime() - began);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds / 4));
        recorder.reset();
        measuring.set(true);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        Histogram h = recorder.getIntervalHistogram();
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        print(name, h, seconds);
    }

    /** The hot SKU's owner closes; how long until another instance's call is answered by the next owner. */
    private static void failoverAfterClose(String mode, InventoryCluster owner, List<InventoryCluster> instances) {
        InventoryCluster asker = instances.stream().filter(c -> c != owner).findFirst().orElseThrow();
        long closing = System.nanoTime();
        owner.close();
        long closed = System.nanoTime();
        ReservationResult r;
        do {
            r = asker.tryReserve("f-" + IDS.incrementAndGet(), List.of(ReservationLine.of(HOT, WH, 1)), TTL).join();
        } while (!r.accepted());
        long answered = System.nanoTime();
        out.printf("| %sfailover after close(): close() took %d ms; first hold of the hot SKU answered %d ms after"
                + " close() began | | | | | | |%n", mode, (closed - closing) / 1_000_000, (answered - closing) / 1_000_000);
    }

    private static void peerOpenLoop(String name, Peer peer, Store store, int seconds) throws Exception {
        Recorder recorder = new Recorder(3);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 4);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> clients = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 3; t++) {
            int client = t;
            Thread thread = new Thread(() -> {
                try (Peer.Session s = peer.session()) {
                    long period = 3L * 1_000_000_000L / RATE;
                    long next = System.nanoTime() + client * period / 3;
                    for (int i = client; next < end; i += 3) {
                        long intended = next;
                        next += period;
                        while (System.nanoTime() < intended) {
                            LockSupport.parkNanos(intended - System.nanoTime());
                        }
                        s.tryReserve(store.product(i % SPREAD), store.warehouse(0), 1, "p-" + IDS.incrementAndGet());
                        if (intended >= warmEnd) {
                            recorder.recordValue(System.nanoTime() - intended);
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            thread.start();
            clients.add(thread);
        }
        for (Thread t : clients) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        print(name, recorder.getIntervalHistogram(), seconds);
    }

    private static void peerClosedLoop(String name, Peer peer, Store store, int clients, int seconds)
            throws Exception {
        String hot = store.hotProduct();
        Callers session = () -> {
            Peer.Session s = peer.session();
            return new Caller() {
                @Override
                public boolean call() throws Exception {
                    s.tryReserve(hot, store.warehouse(0), 1, "q-" + IDS.incrementAndGet());
                    return true;
                }

                @Override
                public void close() throws Exception {
                    s.close();
                }
            };
        };
        measureCallers(name, java.util.Collections.nCopies(clients, session), seconds);
    }

    private static void print(String name, Histogram h, int seconds) {
        out.printf("| %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f |%n", name, h.getTotalCount(),
                h.getTotalCount() / (double) seconds, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
    }
}
