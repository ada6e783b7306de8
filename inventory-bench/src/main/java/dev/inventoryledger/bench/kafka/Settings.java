package dev.inventoryledger.bench.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The harness's options, each {@code --name value} ({@link #USAGE}); anything else is refused with the
 * option named. Set once by {@link #parse} (or by a test), then only read.
 */
final class Settings {
    static final String USAGE = """
            KafkaEndToEnd: the ledger's Kafka feed beside Kafka Streams and a bare consumer, on an in-process broker.
              --events N            backlog published and read back (default 3000000)
              --products N          products (default 50000); --warehouses N (default 10); --zipf S (default 0.99)
              --partitions N        partitions per topic (default 4)
              --rounds N            throughput rounds; the best of them is reported (default 2)
              --raw-compare N       also publish N events with a raw producer, to compare (default 1000000; 0: no)
              --streams LIST        Kafka Streams variants: dsl-memory, processor-memory, dsl-rocksdb,
                                    processor-rocksdb, or none (default dsl-memory,processor-memory)
              --streams-threads N   stream threads (default 2, the machine's cores)
              --rate N              offered load of the latency runs, events/s (default 20000)
              --latency-seconds N   measured time per latency run (default 20), after --warmup-seconds N (default 3)
              --probe-every N       one event in N is a latency probe (default 20)
              --feed-client K=V     a Kafka client property for the feed (repeatable), e.g. max.poll.records=500
              --only throughput|latency
              --seed N              workload seed (default 42)
            """;

    long events = 3_000_000;
    int products = 50_000, warehouses = 10;
    double zipf = 0.99;
    int partitions = 4, rounds = 2;
    long rawCompare = 1_000_000;
    List<StreamsPeer.Variant> streams = variants("dsl-memory,processor-memory");
    int streamsThreads = 2;
    int rate = 20_000, latencySeconds = 20, warmupSeconds = 3, probeEvery = 20;
    boolean throughput = true, latency = true;
    long seed = 42;
    Map<String, String> feedClient = new LinkedHashMap<>();

    static Settings parse(String... args) {
        Settings s = new Settings();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
            }
            String v = args[i + 1];
            switch (name) {
                case "--events" -> s.events = positive(name, v);
                case "--products" -> s.products = (int) positive(name, v);
                case "--warehouses" -> s.warehouses = (int) positive(name, v);
                case "--zipf" -> s.zipf = number(name, v);
                case "--partitions" -> s.partitions = (int) positive(name, v);
                case "--rounds" -> s.rounds = (int) positive(name, v);
                case "--raw-compare" -> s.rawCompare = atLeastZero(name, v);
                case "--streams" -> s.streams = variants(v);
                case "--streams-threads" -> s.streamsThreads = (int) positive(name, v);
                case "--rate" -> s.rate = (int) positive(name, v);
                case "--latency-seconds" -> s.latencySeconds = (int) positive(name, v);
                case "--warmup-seconds" -> s.warmupSeconds = (int) atLeastZero(name, v);
                case "--probe-every" -> s.probeEvery = (int) positive(name, v);
                case "--only" -> {
                    s.throughput = v.equals("throughput");
                    s.latency = v.equals("latency");
                    if (!s.throughput && !s.latency) {
                        throw new IllegalArgumentException("--only must be throughput or latency but was '" + v + "'");
                    }
                }
                case "--seed" -> s.seed = Long.parseLong(v);
                case "--feed-client" -> {
                    int eq = v.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--feed-client must be name=value but was '" + v + "'");
                    }
                    s.feedClient.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
            }
        }
        return s;
    }

    static List<StreamsPeer.Variant> variants(String list) {
        List<StreamsPeer.Variant> out = new ArrayList<>();
        if (!list.equals("none")) {
            for (String v : list.split(",")) {
                out.add(StreamsPeer.Variant.parse(v));
            }
        }
        return List.copyOf(out);
    }

    private static long positive(String name, String v) {
        long n = atLeastZero(name, v);
        if (n == 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + v);
        }
        return n;
    }

    private static long atLeastZero(String name, String v) {
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number but was '" + v + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + v);
        }
        return n;
    }

    private static double number(String name, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number but was '" + v + "'");
        }
    }

    @Override
    public String toString() {
        return "events " + events + ", products " + products + " x warehouses " + warehouses + ", zipf " + zipf
                + ", partitions " + partitions + ", rounds " + rounds + ", streams " + streams + " with "
                + streamsThreads + " threads, latency at " + rate + " events/s for " + latencySeconds + " s (+"
                + warmupSeconds + " s warm-up), 1 probe in " + probeEvery
                + (feedClient.isEmpty() ? "" : ", feed client properties " + feedClient);
    }
}
