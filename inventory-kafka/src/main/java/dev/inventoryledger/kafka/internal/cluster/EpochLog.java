package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link dev.inventoryledger.kafka.Fencing#EPOCH}: decisions are idempotent sends of the cluster's one
 * producer, stamped with the owner's epoch; taking a partition writes a claim on every topic decided into,
 * after everything this instance sent before (so its own earlier decisions are not fenced by its new claim).
 */
public final class EpochLog implements DecisionLog {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String me, answersTopic;
    private final List<String> claimTopics;
    private final Callback failed;

    /** @param claimTopics the topics decisions go to, where claims are written (and read back) */
    public EpochLog(KafkaProducer<byte[], byte[]> producer, String me, List<String> claimTopics,
                    Consumer<Throwable> sendFailed) {
        this.producer = producer;
        this.me = me;
        this.claimTopics = List.copyOf(claimTopics);
        this.answersTopic = claimTopics.get(0);
        this.failed = (metadata, e) -> {
            if (e != null) {
                sendFailed.accept(e);
            }
        };
    }

    @Override
    public boolean stampsEpoch() {
        return true;
    }

    @Override
    public String answersTopic() {
        return answersTopic;
    }

    @Override
    public void send(Ownership.Partition partition, ProducerRecord<byte[], byte[]> record) {
        producer.send(record, failed);
    }

    /** At once: a reader reading on reads what was sent before, in log order. */
    @Override
    public void whenWritten(int partition, Runnable then) {
        then.run();
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void taken(Collection<Integer> partitions, long epoch) {
        if (partitions.isEmpty()) {
            return;
        }
        producer.flush(); // anything this instance decided before goes ahead of its new claim
        List<Header> headers = List.of(ClusterHeaders.header(ClusterHeaders.CLAIM, Long.toString(epoch)),
                ClusterHeaders.header(ClusterHeaders.OWNER, me));
        for (int p : partitions) {
            for (String topic : claimTopics) {
                producer.send(new ProducerRecord<byte[], byte[]>(topic, p, (byte[]) null, (byte[]) null, headers),
                        failed);
            }
        }
    }

    @Override
    public void givenUp(Collection<Integer> partitions) {
        producer.flush(); // every decision taken before the successor's claim is written first
    }

    /** The producer is the cluster's, closed with it. */
    @Override
    public void close(Duration timeout) {
        producer.flush();
    }
}
