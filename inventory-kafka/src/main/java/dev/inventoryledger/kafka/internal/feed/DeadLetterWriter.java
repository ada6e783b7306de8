package dev.inventoryledger.kafka.internal.feed;

import dev.inventoryledger.kafka.internal.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The feed's dead-letter topic and the producer that writes to it: a refused record goes there with its
 * original key, value and headers, plus headers naming its topic, partition, offset and the reason. Each
 * write is synchronous, so the feed moves past a refused record only once the topic has it; a broker outage
 * (retriable errors) is waited out until {@link #stop()}.
 *
 * <p>Threads: {@link #open}, {@link #write} and {@link #close} run on the feed's thread; {@link #stop()} on
 * any (it writes a volatile flag that {@link #write} reads at least every 100 ms).
 */
public final class DeadLetterWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

    /** Header names on dead-lettered records (the public constants of {@code KafkaInventoryFeed}). */
    public static final String HEADER_TOPIC = "inventory.dlq.topic", HEADER_PARTITION = "inventory.dlq.partition",
            HEADER_OFFSET = "inventory.dlq.offset", HEADER_REASON = "inventory.dlq.reason";

    private final KafkaClients clients;
    private final String topic;
    private final LongSupplier nanoTime;
    private final long brokerTimeoutNanos;
    /** Written by {@link #stop()} on any thread, read by the feed's thread: true ends a wait. */
    private volatile boolean stopped;
    private KafkaProducer<byte[], byte[]> producer; // the feed's thread's; null until open()

    /**
     * A writer to {@code topic}; its producer is made by {@link #open()}. A write waits out a broker outage for
     * up to {@code brokerTimeoutNanos} on {@code nanoTime}.
     */
    public DeadLetterWriter(KafkaClients clients, String topic, LongSupplier nanoTime, long brokerTimeoutNanos) {
        this.clients = clients;
        this.topic = topic;
        this.nanoTime = nanoTime;
        this.brokerTimeoutNanos = brokerTimeoutNanos;
    }

    /** The dead-letter topic's name. */
    public String topic() {
        return topic;
    }

    /** Makes the producer. */
    public void open() {
        producer = clients.deadLetterProducer();
    }

    /**
     * Writes a dead letter for {@code refused}, waiting out a broker outage of up to the feed's bound.
     *
     * @return true once the topic has it; false if {@link #stop()} came first: the record is then not taken,
     *         and is read again on the next start
     * @throws ExecutionException   if the write failed for good (a non-retriable error)
     * @throws IllegalStateException if it was not written within the feed's bound
     * @throws InterruptedException if the feed's thread was interrupted
     */
    public boolean write(ConsumerRecord<byte[], byte[]> refused, String reason)
            throws ExecutionException, InterruptedException {
        RecordHeaders headers = new RecordHeaders(refused.headers().toArray());
        headers.add(HEADER_TOPIC, bytes(refused.topic()));
        headers.add(HEADER_PARTITION, bytes(Integer.toString(refused.partition())));
        headers.add(HEADER_OFFSET, bytes(Long.toString(refused.offset())));
        headers.add(HEADER_REASON, bytes(reason));
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null, refused.key(), refused.value(), headers);
        long since = nanoTime.getAsLong();
        while (!stopped) {
            if (nanoTime.getAsLong() - since > brokerTimeoutNanos) {
                throw new IllegalStateException("the dead letter of " + refused.topic() + "-" + refused.partition()
                        + "@" + refused.offset() + " was not written to " + topic + " within the feed's "
                        + "brokerTimeout (" + java.time.Duration.ofNanos(brokerTimeoutNanos) + ")");
            }
            try {
                Future<RecordMetadata> sent = producer.send(letter);
                while (true) {
                    try {
                        sent.get(100, TimeUnit.MILLISECONDS);
                        return true;
                    } catch (TimeoutException notYet) {
                        if (stopped) {
                            return false;
                        }
                    }
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
                LOG.warn("dead letter not written yet, retrying: {}", e.getCause().toString());
            } catch (RetriableException metadataWait) {
                LOG.warn("dead letter not written yet (no metadata), retrying: {}", metadataWait.toString());
            }
        }
        return false;
    }

    /** Ends any wait in {@link #write} within 100 ms; later writes return false at once. Any thread. */
    public void stop() {
        stopped = true;
    }

    /** Closes the producer, if it was made. */
    @Override
    public void close() {
        if (producer != null) {
            producer.close();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
