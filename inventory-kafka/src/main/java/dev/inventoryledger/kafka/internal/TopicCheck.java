package dev.inventoryledger.kafka.internal;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Which of a set of topics exist, and with how many partitions, asked of the brokers' admin API: a topic that
 * is not there is answered at once (never waited for through a client's metadata), and a broker that does not
 * answer within the timeout is reported as such. What the feed and the publisher check at start, and what
 * {@code InventoryTopics} creates.
 */
public final class TopicCheck {
    /** The call that creates the topics, for messages. */
    public static final String HOW_TO_CREATE = "create them with InventoryTopics.builder().bootstrapServers(...)"
            + ".partitions(n).replicationFactor(r).retention(...).build().create(), or with your own tooling "
            + "(README, \"Topics\")";

    private TopicCheck() {
    }

    /**
     * Partition counts of the topics that exist; the missing ones are absent from the map.
     *
     * @throws IllegalStateException if the brokers did not answer within the timeout
     * @throws org.apache.kafka.common.KafkaException as the brokers refused (authentication, authorization ...)
     */
    public static Map<String, Integer> partitionCounts(Admin admin, Collection<String> topics, Duration timeout,
                                                      String brokers) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(new LinkedHashSet<>(topics)).topicNameValues();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> d : described.entrySet()) {
            try {
                counts.put(d.getKey(), d.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS).partitions().size());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    continue; // missing: absent from the counts
                }
                if (e.getCause() instanceof RuntimeException refused) {
                    throw refused; // authentication, authorization ...: as the brokers said it
                }
                throw new IllegalStateException("could not describe topic " + d.getKey() + " at " + brokers + ": "
                        + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("no broker at " + brokers + " answered within " + timeout
                        + " while checking the topics " + topics, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking the topics " + topics, e);
            }
        }
        return counts;
    }

    /**
     * Fails, naming every missing topic and the call that creates them, unless all exist.
     *
     * @param who what needs them, e.g. "the feed"
     * @return the partition counts of the topics
     * @throws IllegalStateException if a topic is missing, or the brokers did not answer
     */
    public static Map<String, Integer> requireAll(Admin admin, Collection<String> topics, Duration timeout,
                                                  String brokers, String who) {
        Map<String, Integer> counts = partitionCounts(admin, topics, timeout, brokers);
        List<String> missing = new ArrayList<>();
        for (String t : new LinkedHashSet<>(topics)) {
            if (!counts.containsKey(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(who + " needs " + (missing.size() == 1 ? "topic " : "topics ")
                    + String.join(", ", missing) + ", which " + (missing.size() == 1 ? "does" : "do")
                    + " not exist at " + brokers + ": " + HOW_TO_CREATE);
        }
        return counts;
    }

    /** Waits until every partition of the topics has a leader, or the timeout passes (then fails). */
    public static void awaitLeaders(Admin admin, Collection<String> topics, Duration timeout, String brokers) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics) {
            while (!led(admin, topic, deadline)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("topic " + topic + " has partitions without a leader at "
                            + brokers + " after " + timeout);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a back-off while the brokers elect
            }
        }
    }

    private static boolean led(Admin admin, String topic, long deadline) {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException | TimeoutException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the leaders of " + topic, e);
        }
    }
}
