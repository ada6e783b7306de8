package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency at a fixed offered load: the workload is published at {@code rate} events/s with
 * {@link InventoryEventPublisher} (its defaults: {@code linger.ms=1}, {@code acks=all}); one event in
 * {@code probeEvery} is a probe, a receipt of 1 unit at one of {@value #PROBES} probe positions. A probe
 * thread asks the consumer side, about every 0.1 ms, whether each probe sent so far is visible yet
 * (the position's count has reached the number of probe receipts sent to it up to and including this
 * one), and records the time from the probe's <em>intended</em> send time (so that a sender that falls
 * behind does not hide latency) to the first check that sees it.
 */
final class LatencyRun {
    static final int PROBES = 64;
    static final String PROBE_WAREHOUSE = "WH-P";

    /** Says whether the count at probe position {@code probe} has reached {@code expected}. */
    interface Visibility {
        boolean reached(int probe, long expected);
    }

    /** Latency percentiles in milliseconds; {@code offered} is the achieved send rate. */
    record Result(String name, long samples, double p50, double p99, double p999, double max, double offered) {
    }

    private record Probe(long intendedNanos, int position, long expected, boolean measured) {
    }

    static String probeProduct(int probe) {
        return "PROBE-" + probe;
    }

    /** Publishes for warm-up plus measured seconds, then waits (up to 60 s) until every probe is seen. */
    static Result run(String name, Topics topics, String bootstrapServers, Workload background, int rate,
                      int warmupSeconds, int seconds, int probeEvery, Visibility visibility) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        ConcurrentLinkedQueue<Probe> sent = new ConcurrentLinkedQueue<>();
        boolean[] sending = {true};
        long[] unseen = {0};
        Thread prober = new Thread(() -> unseen[0] = probe(sent, visibility, histogram, sending), "latency-probe");
        prober.setDaemon(true);
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long sentCount = 0;
        double offered;
        try (InventoryEventPublisher publisher = topics.publisher(bootstrapServers).build()) {
            // One record first: the producer fetches metadata and registers as idempotent before the clock runs.
            publisher.publish(InventoryEvent.stockReceived("PRB-init", probeProduct(0), PROBE_WAREHOUSE, 1,
                    Instant.now())).get(30, TimeUnit.SECONDS);
            long[] perProbe = new long[PROBES];
            perProbe[0] = 1;
            prober.start();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            Instant time = Instant.parse("2026-11-25T12:00:00Z");
            for (long i = 0; ; i++) {
                long intended = start + i * period;
                if (intended >= end) {
                    break;
                }
                long now;
                while ((now = System.nanoTime()) < intended) {
                    LockSupport.parkNanos(Math.min(intended - now, 50_000)); // wakes every ~0.06-0.1 ms
                }
                if (i % probeEvery == 0) {
                    int k = (int) ((i / probeEvery) % PROBES);
                    long expected = ++perProbe[k];
                    sent.add(new Probe(intended, k, expected, intended >= measureFrom));
                    publisher.publish(InventoryEvent.stockReceived("PRB-" + i, probeProduct(k), PROBE_WAREHOUSE, 1,
                            time.plusNanos(i)));
                } else {
                    publisher.publish(background.next());
                }
                sentCount++;
            }
            offered = sentCount / ((System.nanoTime() - start) / 1e9);
            publisher.flush();
            if (publisher.failure() != null) {
                throw new IllegalStateException("publishing failed", publisher.failure());
            }
        } finally {
            synchronized (sending) {
                sending[0] = false;
            }
        }
        prober.join(TimeUnit.SECONDS.toMillis(90));
        if (prober.isAlive() || unseen[0] > 0 || histogram.getTotalCount() == 0) {
            prober.interrupt();
            throw new IllegalStateException(name + ": " + unseen[0] + " probes were never seen ("
                    + histogram.getTotalCount() + " measured were)");
        }
        return new Result(name, histogram.getTotalCount(), ms(histogram.getValueAtPercentile(50)),
                ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
                ms(histogram.getMaxValue()), offered);
    }

    /** The probe thread's loop; returns how many probes it gave up on (0 unless the consumer stalled). */
    private static long probe(ConcurrentLinkedQueue<Probe> sent, Visibility visibility, Histogram histogram,
                              boolean[] sending) {
        List<Probe> pending = new ArrayList<>();
        long deadline = Long.MAX_VALUE;
        while (true) {
            for (Probe p; (p = sent.poll()) != null; ) {
                pending.add(p);
            }
            for (Iterator<Probe> it = pending.iterator(); it.hasNext(); ) {
                Probe p = it.next();
                if (visibility.reached(p.position, p.expected)) {
                    long seen = System.nanoTime();
                    if (p.measured) {
                        histogram.recordValue(Math.max(0, seen - p.intendedNanos));
                    }
                    it.remove();
                }
            }
            boolean stillSending;
            synchronized (sending) {
                stillSending = sending[0];
            }
            if (!stillSending && pending.isEmpty() && sent.isEmpty()) {
                return 0;
            }
            if (!stillSending && deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            }
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                return pending.size() + sent.size(); // the caller reports them
            }
            LockSupport.parkNanos(20_000); // about 0.06-0.1 ms on Linux: the resolution of "visible"
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
