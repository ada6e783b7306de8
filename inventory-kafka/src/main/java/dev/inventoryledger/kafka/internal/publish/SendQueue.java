package dev.inventoryledger.kafka.internal.publish;

import dev.inventoryledger.kafka.internal.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Records on their way to Kafka without the caller waiting for it: {@link #offer} appends to a bounded
 * in-memory queue and returns at once, whatever the brokers do; one sender thread
 * ({@code inventory-ledger-publisher}) hands the records to the producer, which may block it (metadata of a
 * topic not known yet, a full buffer: up to {@code max.block.ms}) but never a caller. A full queue drops the
 * record; a record the producer cannot write fails; both are counted
 * ({@code inventory.publisher.records{outcome=dropped|failed}}), kept in {@link #failure()}, and complete the
 * record's future exceptionally. {@code inventory.publisher.queue} is how many records wait.
 *
 * <p>Threads: {@link #offer}, {@link #flush()}, {@link #close()} and the readings from any thread; the producer
 * is the sender thread's, but for {@link #knowTopics} and {@code flush}/{@code close} (KafkaProducer is
 * thread-safe).
 */
public final class SendQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** One record, and what to complete once the broker has it or it failed. */
    private record Outgoing(ProducerRecord<byte[], byte[]> record, CompletableFuture<RecordMetadata> done) {
    }

    private final ArrayBlockingQueue<Outgoing> queue;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AutoCloseable producerMetrics;
    private final Counter sent, failed, dropped; // null without a registry
    private final Thread sender;
    /** Offered and not yet acknowledged, failed or dropped: {@link #flush()} waits for 0. Any thread. */
    private final AtomicLong pending = new AtomicLong();
    /** False once {@link #close()} began: offers are refused, the sender drains what is left. Any thread. */
    private volatile boolean open = true;
    /** The last record that could not be written or was dropped, with why. Written by any thread. */
    private volatile Throwable failure;

    /**
     * @param capacity records that may wait; beyond it, records are dropped
     * @param registry where the counters and the producer's own metrics go, or null
     */
    public SendQueue(KafkaClients clients, int capacity, MeterRegistry registry) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.producer = clients.publisherProducer();
        this.producerMetrics = clients.bindMetrics(producer);
        this.sent = counter(registry, "sent");
        this.failed = counter(registry, "failed");
        this.dropped = counter(registry, "dropped");
        if (registry != null) {
            Gauge.builder("inventory.publisher.queue", queue, ArrayBlockingQueue::size)
                    .description("Records waiting to be handed to the Kafka producer").register(registry);
        }
        this.sender = new Thread(this::sendLoop, "inventory-ledger-publisher");
        sender.setDaemon(true);
        sender.start();
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return registry == null ? null : Counter.builder("inventory.publisher.records").tag("outcome", outcome)
                .description("Records the publisher wrote to Kafka, by outcome").register(registry);
    }

    /**
     * Queues a record without waiting: a lock held for a few instructions, never a call to Kafka.
     *
     * @return completes when the broker has it; exceptionally if it was dropped (queue full, or closed) or
     *         could not be written
     */
    public CompletableFuture<RecordMetadata> offer(String topic, byte[] key, byte[] value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        pending.incrementAndGet();
        if (!open) {
            pending.decrementAndGet();
            fail(done, new IllegalStateException("publisher closed: a record for " + topic + " was not sent"), failed);
        } else if (!queue.offer(new Outgoing(new ProducerRecord<>(topic, key, value), done))) {
            pending.decrementAndGet();
            drop(done, new RejectedExecutionException("publisher queue full: a record for " + topic + " was "
                    + "dropped; the producer is behind or blocked (see failure() and the logs)"));
        }
        return done;
    }

    /** Learns the topics' partitions now, so that the first records to them do not wait for metadata. */
    public void knowTopics(Iterable<String> topics) {
        for (String t : topics) {
            producer.partitionsFor(t);
        }
    }

    /** Waits until every record offered so far is acknowledged, failed or dropped. */
    public void flush() {
        while (pending.get() > 0) {
            producer.flush();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the sender hands over what is queued
        }
    }

    /** Records waiting for the sender. */
    public int waiting() {
        return queue.size();
    }

    /** The last record that could not be written or was dropped, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Stops taking records, hands the queued ones over and closes the producer, all within {@code timeout}. */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        open = false;
        try {
            sender.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt(); // still blocked in the producer past the timeout
        try {
            producerMetrics.close();
        } catch (Exception e) {
            // removing meters does not fail; nothing to undo if it did
        }
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        Outgoing left;
        while ((left = queue.poll()) != null) {
            pending.decrementAndGet();
            drop(left.done(), new RejectedExecutionException("publisher closed before a record for "
                    + left.record().topic() + " was handed over"));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void sendLoop() {
        while (open || !queue.isEmpty()) {
            Outgoing o;
            try {
                o = queue.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return; // closing past its timeout
            }
            if (o != null) {
                send(o);
            }
        }
    }

    private void send(Outgoing o) {
        try {
            producer.send(o.record(), (metadata, e) -> {
                if (e == null) {
                    count(sent);
                    o.done().complete(metadata);
                } else {
                    fail(o.done(), e, failed);
                }
                pending.decrementAndGet();
            });
        } catch (RuntimeException e) { // closed, no metadata within max.block.ms, record too large ...
            fail(o.done(), e, failed);
            pending.decrementAndGet();
        }
    }

    private void drop(CompletableFuture<RecordMetadata> done, Throwable why) {
        fail(done, why, dropped);
    }

    private void fail(CompletableFuture<RecordMetadata> done, Throwable why, Counter counter) {
        if (failure == null || counter != dropped) {
            LOG.warn("inventory publisher: {}", why.toString());
        }
        failure = why;
        count(counter);
        done.completeExceptionally(why);
    }

    private static void count(Counter c) {
        if (c != null) {
            c.increment();
        }
    }
}
