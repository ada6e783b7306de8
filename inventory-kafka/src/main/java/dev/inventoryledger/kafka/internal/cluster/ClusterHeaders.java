package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;

/**
 * The headers a cluster puts on the records it writes to the article's topics. A record with
 * {@link #CLAIM} is an owner's claim of the partition (no value); one with {@link #EPOCH} is a decision of the
 * owner at that epoch (an event, or, with no value, an answer that changed nothing). Records without them are
 * plain events and always count.
 */
public final class ClusterHeaders {
    /** An owner's claim of the partition: the epoch (the group generation it was assigned the partition in). */
    public static final String CLAIM = "inventory-claim";
    /** The epoch of the owner that decided this record (fencing by epoch: replicas skip it below a claim). */
    public static final String EPOCH = "inventory-epoch";
    /**
     * With transactions, the group generation the owner that decided this record was given the partition in:
     * for people and tools ordering decisions across owners; nothing is fenced by it.
     */
    public static final String GENERATION = "inventory-generation";
    /** The decision's place among its owner's decisions on the partition at this epoch: 1, 2, 3 ... */
    public static final String SEQUENCE = "inventory-sequence";
    /** Which instance, in which run, wrote the record ({@code <instanceId>/<run>}). */
    public static final String OWNER = "inventory-owner";
    /** The request a decision answers. */
    public static final String REQUEST = "inventory-request";
    /** The answer (one decision of one owner) this record belongs to, and how many records it has. */
    public static final String ANSWER = "inventory-answer", COUNT = "inventory-answer-records";
    /** The decision's outcome, as {@link ClusterAnswer} writes it. */
    public static final String OUTCOME = "inventory-outcome";

    private ClusterHeaders() {
    }

    /** The header's value as text, or null without it. */
    public static String text(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The header's value as bytes, or null without it. */
    public static byte[] bytes(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    /** A header with a text value. */
    public static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The number in a header's text (an epoch, a count), or −1 if it is not a number. */
    public static long number(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text);
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }
}
