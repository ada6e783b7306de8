package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.kafka.InventoryEventPublisher;
import dev.inventoryledger.kafka.KafkaInventoryFeed;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One set of the article's five topics (a name prefix keeps runs apart on one broker), plus the feed's
 * dead-letter topic, and builders of a feed and a publisher that use them.
 */
record Topics(String prefix, int partitions) {

    /** The five kinds with a topic of their own (both reservation kinds share {@code reservations}). */
    static final List<EventKind> TOPIC_KINDS = List.of(EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED,
            EventKind.RETURN_RECEIVED, EventKind.STOCK_RECEIVED, EventKind.RESERVATION_HELD);

    String topic(EventKind kind) {
        return prefix + Workload.topicKind(kind).defaultTopic();
    }

    String deadLetters() {
        return prefix + "inventory_dead_letters";
    }

    /** The five event topics, in {@link #TOPIC_KINDS} order. */
    List<String> eventTopics() {
        return TOPIC_KINDS.stream().map(this::topic).toList();
    }

    /** Which kind of event a topic carries (the reservations topic: either reservation kind). */
    Map<String, EventKind> kindByTopic() {
        Map<String, EventKind> kinds = new LinkedHashMap<>();
        TOPIC_KINDS.forEach(k -> kinds.put(topic(k), k));
        return kinds;
    }

    void create(InProcessKafka kafka) throws Exception {
        List<String> all = new java.util.ArrayList<>(eventTopics());
        all.add(deadLetters());
        kafka.createTopics(partitions, all);
    }

    KafkaInventoryFeed.Builder feed(String bootstrapServers) {
        KafkaInventoryFeed.Builder b = KafkaInventoryFeed.builder().bootstrapServers(bootstrapServers)
                .deadLetterTopic(deadLetters());
        TOPIC_KINDS.forEach(k -> b.topic(k, topic(k)));
        return b;
    }

    InventoryEventPublisher.Builder publisher(String bootstrapServers) {
        InventoryEventPublisher.Builder b = InventoryEventPublisher.builder().bootstrapServers(bootstrapServers);
        TOPIC_KINDS.forEach(k -> b.topic(k, topic(k)));
        return b;
    }
}
