package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End to end through Kafka: the ledger's {@link KafkaInventoryFeed} beside Kafka Streams and a bare
 * consumer, on a real broker started in this JVM.
 *
 * <ol>
 *   <li>Publishes a backlog of {@code --events} events of the store's workload ({@link Workload}) to the
 *       five topics with {@code InventoryEventPublisher}, and (to compare) part of it again with a raw
 *       producer.</li>
 *   <li>Throughput at saturation: a bare consumer (the ceiling), the consumer with decoding, with decoding
 *       and applying, the feed, and each Kafka Streams variant read the whole backlog from its beginning,
 *       {@code --rounds} times; the best round of each is reported. Every ledger and every Streams table is
 *       then compared, position by position, with the sums of the events published.</li>
 *   <li>Latency at a fixed offered load ({@link LatencyRun}), on fresh topics per consumer: publish to
 *       visible in {@code ledger.sellable}, and to visible in the Streams table through an interactive
 *       query.</li>
 * </ol>
 *
 * <p>Run: {@code java -Xmx6g -cp inventory-bench/target/benchmarks.jar
 * dev.inventoryledger.bench.kafka.KafkaEndToEnd [options]} ({@code --help} lists them).
 */
public final class KafkaEndToEnd {

    /** What a run measured. */
    record Report(List<Throughput.Rate> publishing, List<Throughput.Rate> throughput,
                  List<LatencyRun.Result> latency) {
    }

    private KafkaEndToEnd() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(Settings.USAGE);
            return;
        }
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(64);
            return;
        }
        PrintStream out = System.out;
        out.printf("machine: %d cores, %s %s, max heap %d MiB; load average before: %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        out.println("settings: " + s);
        Report r = run(s, out);
        out.printf("load average after: %s%n%n", loadAverage());
        print(r, s, out);
        System.exit(0); // Kafka's and Streams' leftover non-daemon threads must not keep the JVM up
    }

    /** Runs what the settings ask for, logging progress to {@code log}. */
    static Report run(Settings s, PrintStream log) throws Exception {
        List<Throughput.Rate> publishing = new ArrayList<>();
        List<Throughput.Rate> throughput = new ArrayList<>();
        List<LatencyRun.Result> latency = new ArrayList<>();
        long started = System.nanoTime();
        try (InProcessKafka kafka = InProcessKafka.start()) {
            log.printf("broker up at %s in %.1f s%n", kafka.bootstrapServers(), (System.nanoTime() - started) / 1e9);
            String servers = kafka.bootstrapServers();
            if (s.throughput) {
                Topics backlog = new Topics("", s.partitions);
                backlog.create(kafka);
                Workload expected = new Workload(s.products, s.warehouses, s.zipf, s.seed);
                Throughput t = new Throughput(servers, backlog, s.events);
                publishing.add(logged(log, t.publishWithPublisher(expected)));
                long onBroker = kafka.endOffsets(backlog.eventTopics()).values().stream().mapToLong(Long::longValue).sum();
                if (onBroker != s.events) {
                    throw new IllegalStateException("the broker holds " + onBroker + " records, not " + s.events);
                }
                if (s.rawCompare > 0) {
                    Topics scratch = new Topics("raw_", s.partitions);
                    scratch.create(kafka);
                    publishing.add(logged(log, new Throughput(servers, scratch, s.rawCompare)
                            .publishRaw(new Workload(s.products, s.warehouses, s.zipf, s.seed), s.rawCompare)));
                }
                logged(log, t.consume(Throughput.Work.POLL, expected)); // warm-up: page cache, client code; not kept
                Map<String, Throughput.Rate> best = new LinkedHashMap<>();
                for (int round = 1; round <= s.rounds; round++) {
                    log.printf("-- round %d of %d%n", round, s.rounds);
                    keepBest(best, logged(log, t.consume(Throughput.Work.POLL, expected)));
                    keepBest(best, logged(log, t.consume(Throughput.Work.DECODE, expected)));
                    keepBest(best, logged(log, t.consume(Throughput.Work.DECODE_APPLY, expected)));
                    System.gc();
                    keepBest(best, logged(log, t.feed(expected, s.feedClient)));
                    System.gc();
                    for (StreamsPeer.Variant v : s.streams) {
                        keepBest(best, logged(log, t.streams(v, s.streamsThreads, "bench-" + v + "-" + round, expected)));
                        System.gc();
                    }
                }
                throughput.addAll(best.values());
            }
            if (s.latency) {
                latency.add(logged(log, feedLatency(s, kafka)));
                for (StreamsPeer.Variant v : s.streams) {
                    latency.add(logged(log, streamsLatency(s, kafka, v)));
                }
            }
        }
        return new Report(publishing, throughput, latency);
    }

    private static LatencyRun.Result feedLatency(Settings s, InProcessKafka kafka) throws Exception {
        Topics topics = new Topics("lat_feed_", s.partitions);
        topics.create(kafka);
        InventoryLedger ledger = InventoryLedger.builder().build();
        String[] products = probeProducts();
        try (KafkaInventoryFeed feed = topics.feed(kafka.bootstrapServers()).ledger(ledger)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            return LatencyRun.run("KafkaInventoryFeed -> ledger.sellable", topics, kafka.bootstrapServers(),
                    new Workload(s.products, s.warehouses, s.zipf, s.seed + 1), s.rate, s.warmupSeconds,
                    s.latencySeconds, s.probeEvery,
                    (k, expected) -> ledger.sellable(products[k], LatencyRun.PROBE_WAREHOUSE) >= expected);
        }
    }

    private static LatencyRun.Result streamsLatency(Settings s, InProcessKafka kafka, StreamsPeer.Variant v)
            throws Exception {
        Topics topics = new Topics("lat_" + v.toString().replace('-', '_') + "_", s.partitions);
        topics.create(kafka);
        String[] keys = probeProducts();
        for (int k = 0; k < keys.length; k++) {
            keys[k] = StreamsPeer.positionKey(keys[k], LatencyRun.PROBE_WAREHOUSE);
        }
        try (StreamsPeer peer = new StreamsPeer(v, topics, kafka.bootstrapServers(), "bench-latency-" + v,
                s.streamsThreads, StreamsPeer.latencySettings())) {
            peer.start();
            ReadOnlyKeyValueStore<String, StreamsPeer.Counts> table = peer.table();
            return LatencyRun.run("Kafka Streams " + v + " -> interactive query", topics, kafka.bootstrapServers(),
                    new Workload(s.products, s.warehouses, s.zipf, s.seed + 1), s.rate, s.warmupSeconds,
                    s.latencySeconds, s.probeEvery, (k, expected) -> {
                        StreamsPeer.Counts c = table.get(keys[k]);
                        return c != null && c.available() >= expected;
                    });
        }
    }

    private static String[] probeProducts() {
        String[] products = new String[LatencyRun.PROBES];
        for (int k = 0; k < products.length; k++) {
            products[k] = LatencyRun.probeProduct(k);
        }
        return products;
    }

    private static void keepBest(Map<String, Throughput.Rate> best, Throughput.Rate r) {
        best.merge(r.name(), r, (a, b) -> a.perSecond() >= b.perSecond() ? a : b);
    }

    private static <T> T logged(PrintStream log, T result) {
        log.println("  " + result);
        return result;
    }

    /** The result tables, in Markdown. */
    static void print(Report r, Settings s, PrintStream out) {
        if (!r.publishing().isEmpty()) {
            out.println("Publishing the backlog (events/s, until flushed):");
            out.println();
            out.println("| producer | events | events/s | sending thread CPU us/event | process CPU us/event |");
            out.println("|---|---:|---:|---:|---:|");
            for (Throughput.Rate p : r.publishing()) {
                out.printf("| %s | %,d | %,.0f | %.2f | %.2f |%n", p.name(), p.events(), p.perSecond(),
                        p.consumerCpuMicrosPerEvent(), p.processCpuMicrosPerEvent());
            }
            out.println();
        }
        if (!r.throughput().isEmpty()) {
            double feed = rateOf(r.throughput(), "KafkaInventoryFeed");
            double bare = rateOf(r.throughput(), "bare KafkaConsumer");
            out.printf("Throughput at saturation: a backlog of %,d events in 5 topics x %d partitions, read from the "
                    + "beginning; best of %d rounds; first record to last:%n%n", s.events, s.partitions, s.rounds);
            out.println("| consumer | events/s | feed / this | this / bare consumer | consumer CPU us/event "
                    + "| process CPU us/event | start-up s | checked |");
            out.println("|---|---:|---:|---:|---:|---:|---:|---|");
            for (Throughput.Rate t : r.throughput()) {
                out.printf("| %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n", t.name(), t.perSecond(),
                        feed / t.perSecond(), t.perSecond() / bare, t.consumerCpuMicrosPerEvent(),
                        t.processCpuMicrosPerEvent(), t.startSeconds(), t.checked());
            }
            out.println();
        }
        if (!r.latency().isEmpty()) {
            LatencyRun.Result feed = r.latency().get(0);
            out.printf("Latency, publish to visible, at %,d events/s offered (1 probe in %d, %d s measured after %d s "
                    + "warm-up), ms:%n%n", s.rate, s.probeEvery, s.latencySeconds, s.warmupSeconds);
            out.println("| path | offered/s | samples | p50 | p99 | p99.9 | max | p99 / feed's p99 |");
            out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            for (LatencyRun.Result l : r.latency()) {
                out.printf("| %s | %,.0f | %,d | %.2f | %.2f | %.2f | %.2f | %.1f |%n", l.name(), l.offered(),
                        l.samples(), l.p50(), l.p99(), l.p999(), l.max(), l.p99() / feed.p99());
            }
            out.println();
        }
    }

    private static double rateOf(List<Throughput.Rate> rates, String prefix) {
        return rates.stream().filter(t -> t.name().startsWith(prefix)).mapToDouble(Throughput.Rate::perSecond)
                .findFirst().orElse(Double.NaN);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
