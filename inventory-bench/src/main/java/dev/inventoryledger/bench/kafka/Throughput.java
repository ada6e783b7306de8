package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import dev.inventoryledger.kafka.internal.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput at saturation: each consumer reads the same pre-published backlog from its beginning. A rate
 * is events over the time from the first record taken to the last one done (so a client's start-up, e.g.
 * Streams joining its group, is left out and reported beside it).
 */
final class Throughput {
    /** The backlog producers' settings (both of them): batches for throughput, as docs/KAFKA-IN-TESTS.md measured. */
    static final Map<String, Object> BATCHING = Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);

    /**
     * One measured pass: {@code events} done in {@code seconds}, {@code startSeconds} before the first. CPU
     * time, from start to end: of the consuming thread(s) (the feed's, the stream threads, or the loop's), and
     * of the whole process (which includes the broker serving the fetches). On a shared machine CPU per event
     * moves less than wall time when other work competes for the cores.
     */
    record Rate(String name, long events, double seconds, double startSeconds, String checked, long consumerCpuNanos,
                long processCpuNanos) {
        double perSecond() {
            return events / seconds;
        }

        double consumerCpuMicrosPerEvent() {
            return consumerCpuNanos / 1e3 / events;
        }

        double processCpuMicrosPerEvent() {
            return processCpuNanos / 1e3 / events;
        }
    }

    private final String bootstrapServers;
    private final Topics topics;
    private final long total;

    Throughput(String bootstrapServers, Topics topics, long total) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.total = total;
    }

    /** Publishes {@code total} events of the workload with {@link InventoryEventPublisher}, then flushes. */
    Rate publishWithPublisher(Workload w) {
        InventoryEventPublisher.Builder b = topics.publisher(bootstrapServers);
        BATCHING.forEach(b::clientProperty);
        long t0 = System.nanoTime(), cpu0 = Cpu.thread(), process0 = Cpu.process();
        try (InventoryEventPublisher publisher = b.build()) {
            for (long i = 0; i < total; i++) {
                publisher.publish(w.next());
            }
            publisher.flush();
            if (publisher.failure() != null) {
                throw new IllegalStateException("publishing the backlog failed", publisher.failure());
            }
            return new Rate("InventoryEventPublisher (acks=all, idempotent)", total, seconds(t0), 0, "",
                    Cpu.thread() - cpu0, Cpu.process() - process0);
        }
    }

    /**
     * The same JSON and keys with a bare idempotent {@link KafkaProducer}: no per-record future or callback.
     * To see what the publisher's own work costs.
     */
    Rate publishRaw(Workload w, long count) {
        Map<String, Object> props = new HashMap<>(BATCHING);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long t0 = System.nanoTime(), cpu0 = Cpu.thread(), process0 = Cpu.process();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < count; i++) {
                InventoryEvent e = w.next();
                p.send(new ProducerRecord<>(topics.topic(e.kind()), e.productId().getBytes(StandardCharsets.UTF_8),
                        EventCodec.encode(e)));
            }
            p.flush();
            return new Rate("raw KafkaProducer, same JSON (acks=all, idempotent)", count, seconds(t0), 0, "",
                    Cpu.thread() - cpu0, Cpu.process() - process0);
        }
    }

    /** What a consumer loop does with each record. */
    enum Work {
        /** Nothing but touch the value: the ceiling. */
        POLL("bare KafkaConsumer (poll only)"),
        /** Decode it with the feed's codec. */
        DECODE("KafkaConsumer + decode (feed's codec)"),
        /** Decode and apply to a ledger: the feed's work without its bookkeeping. */
        DECODE_APPLY("KafkaConsumer + decode + apply (no feed)");

        final String label;

        Work(String label) {
            this.label = label;
        }
    }

    /**
     * A plain consumer, as the feed configures it ({@code assign()} of every partition, {@code max.poll.records}
     * 2000, no commits), reading the backlog from the beginning.
     */
    Rate consume(Work work, Workload expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        Map<String, EventKind> kinds = topics.kindByTopic();
        EventCodec codec = new EventCodec(64 * 1024);
        InventoryLedger ledger = work == Work.DECODE_APPLY ? InventoryLedger.builder().build() : null;
        long t0 = System.nanoTime(), first = 0, count = 0, sink = 0, cpu0 = Cpu.thread(), process0 = Cpu.process();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics.eventTopics()) {
                c.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (count < total) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    switch (work) {
                        case POLL -> sink += r.value().length;
                        case DECODE -> sink += codec.decode(kinds.get(r.topic()), r.value()).quantity();
                        case DECODE_APPLY -> sink += ledger.apply(codec.decode(kinds.get(r.topic()), r.value())).ordinal();
                    }
                    count++;
                }
            }
        } catch (EventCodec.Refused e) {
            throw new IllegalStateException("the backlog holds a record the codec refuses: " + e.getMessage(), e);
        }
        long end = System.nanoTime(), cpu = Cpu.thread() - cpu0, process = Cpu.process() - process0;
        if (sink == Long.MIN_VALUE) {
            System.out.print(""); // keeps the work observable
        }
        String checked = ledger == null ? "" : verify(ledger, expected);
        return new Rate(work.label, count, (end - first) / 1e9, (first - t0) / 1e9, checked, cpu, process);
    }

    /** {@link KafkaInventoryFeed} from EARLIEST into a new ledger, with its defaults. */
    Rate feed(Workload expected, Map<String, String> clientProperties) {
        InventoryLedger ledger = InventoryLedger.builder().build();
        long t0 = System.nanoTime(), first = 0, process0 = Cpu.process();
        KafkaInventoryFeed.Builder b = topics.feed(bootstrapServers).ledger(ledger)
                .startFrom(KafkaInventoryFeed.Start.EARLIEST);
        clientProperties.forEach(b::clientProperty);
        try (KafkaInventoryFeed feed = b.build()) {
            feed.start();
            long done = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (done < total) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                done = 0;
                for (long offset : feed.appliedOffsets().values()) {
                    done += offset; // the topics are new: every partition started at 0
                }
                if (first == 0 && done > 0) {
                    first = System.nanoTime();
                }
                if (System.nanoTime() > deadline || feed.failure() != null) {
                    throw new IllegalStateException("the feed did not finish: " + done + " of " + total,
                            feed.failure());
                }
            }
            long end = System.nanoTime(), process = Cpu.process() - process0;
            long cpu = Cpu.threads(name -> name.equals("inventory-kafka-feed"));
            return new Rate("KafkaInventoryFeed -> InventoryLedger", total, (end - first) / 1e9, (first - t0) / 1e9,
                    verify(ledger, expected), cpu, process);
        }
    }

    /** Kafka Streams under a new application id, from the beginning of the topics. */
    Rate streams(StreamsPeer.Variant variant, int threads, String applicationId, Workload expected) throws Exception {
        long t0 = System.nanoTime(), process0 = Cpu.process();
        try (StreamsPeer peer = new StreamsPeer(variant, topics, bootstrapServers, applicationId, threads, Map.of())) {
            peer.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (peer.processed.sum() < total) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka Streams did not finish: " + peer.processed.sum() + " of "
                            + total);
                }
            }
            long end = System.nanoTime(), process = Cpu.process() - process0;
            long cpu = Cpu.threads(name -> name.startsWith(applicationId + "-") && name.contains("-StreamThread-"));
            long first = peer.firstNanos();
            return new Rate("Kafka Streams " + variant, total, (end - first) / 1e9, (first - t0) / 1e9,
                    peer.verify(expected) + " positions equal", cpu, process);
        }
    }

    /** Every position of the ledger against the workload's sums. */
    static String verify(InventoryLedger ledger, Workload w) {
        for (int p = 0; p < w.positions(); p++) {
            String product = w.productOf(p), warehouse = w.warehouseOf(p);
            if (ledger.available(product, warehouse) != w.expectedAvailable(p)
                    || ledger.held(product, warehouse) != w.expectedHeld(p)) {
                throw new IllegalStateException("the ledger differs at " + product + "/" + warehouse + ": available "
                        + ledger.available(product, warehouse) + ", held " + ledger.held(product, warehouse)
                        + ", expected " + w.expectedAvailable(p) + ", " + w.expectedHeld(p));
            }
        }
        return w.positions() + " positions equal";
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
