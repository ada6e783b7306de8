package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.bench.Peer;
import dev.inventoryledger.bench.Store;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
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
 * processes.
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
        try (InProcessKafka kafka = InProcessKafka.start()) {
            String servers = kafka.bootstrapServers();
            InventoryTopics.builder().bootstrapServers(servers).partitions(PARTITIONS).replicationFactor((short) 1)
                    .retention(Duration.ofDays(7)).build().create();
            stock(servers);
            List<InventoryCluster> instances = new ArrayList<>();
            for (String id : List.of("c1", "c2", "c3")) {
                InventoryCluster c = InventoryCluster.builder().bootstrapServers(servers).instanceId(id)
                        .ledger(InventoryLedger.builder().build()).build();
                c.start();
                instances.add(c);
            }
            awaitSettled(instances);
            InventoryCluster asker = instances.get(0);
            List<String> remote = new ArrayList<>(), local = new ArrayList<>();
            for (int p = 0; p < SPREAD; p++) {
                (asker.owns(product(p)) ? local : remote).add(product(p));
            }
            sequential("remote, one call at a time", asker, remote, seconds);
            sequential("local, one call at a time", asker, local, seconds);
            openLoop("remote, spread, 1 caller instance", asker, remote, seconds);
            openLoop("local, spread, 1 caller instance", asker, local, seconds);
            InventoryCluster owner = instances.stream().filter(c -> c.owns(HOT)).findFirst().orElseThrow();
            closedLoop("hot SKU, 16 callers on its owner (local)", List.of(owner), 16, seconds);
            closedLoop("hot SKU, 16 callers on each of the three", instances, 16, seconds);
            failoverAfterClose(owner, instances);
            instances.forEach(InventoryCluster::close);
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
    private static void failoverAfterClose(InventoryCluster owner, List<InventoryCluster> instances) {
        InventoryCluster asker = instances.stream().filter(c -> c != owner).findFirst().orElseThrow();
        long closing = System.nanoTime();
        owner.close();
        long closed = System.nanoTime();
        ReservationResult r;
        do {
            r = asker.tryReserve("f-" + IDS.incrementAndGet(), List.of(ReservationLine.of(HOT, WH, 1)), TTL).join();
        } while (!r.accepted());
        long answered = System.nanoTime();
        out.printf("| failover after close(): close() took %d ms; first hold of the hot SKU answered %d ms after"
                + " close() began | | | | | | |%n", (closed - closing) / 1_000_000, (answered - closing) / 1_000_000);
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
