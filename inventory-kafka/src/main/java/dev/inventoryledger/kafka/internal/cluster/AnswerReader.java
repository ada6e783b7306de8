package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * With transactions, the answers that changed nothing are written to the requests topic, not the article's
 * topics; this reads them ({@code read_committed}: an answer counts once its owner's transaction committed)
 * from the end of every partition at its start, and hands them to the {@link AnswerBook}. Requests are read
 * past. Its own thread.
 */
public final class AnswerReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerReader.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AnswerBook answers;
    private final Consumer<Throwable> failed;
    private volatile boolean running = true;

    /** Assigns every partition of the topic and positions each at its end, before it returns. */
    public AnswerReader(KafkaConsumer<byte[], byte[]> consumer, String requestsTopic, int partitions,
                        AnswerBook answers, Consumer<Throwable> failed) {
        this.consumer = consumer;
        this.answers = answers;
        this.failed = failed;
        List<TopicPartition> all = java.util.stream.IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartition(requestsTopic, p)).toList();
        consumer.assign(all);
        consumer.seekToEnd(all);
        all.forEach(consumer::position); // every answer from now on is read
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String answer = ClusterHeaders.text(r, ClusterHeaders.ANSWER);
                    if (answer != null) {
                        answers.admitted(ClusterHeaders.text(r, ClusterHeaders.REQUEST), answer,
                                (int) ClusterHeaders.number(ClusterHeaders.text(r, ClusterHeaders.COUNT)),
                                ClusterHeaders.bytes(r, ClusterHeaders.OUTCOME));
                    }
                }
            }
        } catch (WakeupException stopping) {
            // stop() woke the poll
        } catch (Throwable t) {
            failed.accept(t);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("closing the answers' reader: {}", e.toString());
            }
        }
    }

    /** Stops the reader; it closes its consumer on its way out. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
