package dev.inventoryledger.kafka.internal.feed;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Every partition of a fixed set of topics, as a consumer's metadata knows them: the feed asks at start and on
 * its partition checks, the as-of rebuild once. A topic the metadata does not show yet (just created) is asked
 * for again, every 50 ms, for about the timeout: an unknown topic is answered at once, so the count of
 * attempts bounds the wait without reading a clock.
 *
 * <p>DESIGN's start-up check (name every missing topic, never wait on one; a later issue) would replace the
 * wait at start, not the partition check's.
 *
 * <p>Immutable and thread-safe; the consumer given to {@link #partitionsOf} is the caller's, used on its
 * thread.
 */
public final class PartitionDiscovery {
    private static final long BACK_OFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<String> topics;

    /** @param topics the topics, in the order their partitions are listed */
    public PartitionDiscovery(Collection<String> topics) {
        this.topics = List.copyOf(topics);
    }

    /**
     * Every partition of the topics.
     *
     * @param timeout    how long each metadata request may take, and about how long a missing topic is waited for
     * @param keepTrying read before each new attempt: false ends the wait early (the feed is stopping)
     * @throws IllegalStateException if a topic still has no partitions (does it exist?)
     */
    public List<TopicPartition> partitionsOf(Consumer<?, ?> consumer, Duration timeout, BooleanSupplier keepTrying) {
        List<TopicPartition> partitions = new ArrayList<>();
        long attempts = Math.max(1, timeout.toNanos() / BACK_OFF_NANOS);
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            for (long a = 1; (infos == null || infos.isEmpty()) && a < attempts && keepTrying.getAsBoolean(); a++) {
                LockSupport.parkNanos(BACK_OFF_NANOS); // a back-off, not a poll interval
                infos = consumer.partitionsFor(topic, timeout);
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
            }
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        return partitions;
    }
}
