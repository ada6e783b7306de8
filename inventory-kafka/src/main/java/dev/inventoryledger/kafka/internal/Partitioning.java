package dev.inventoryledger.kafka.internal;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which partition a product's records go to: Kafka's default partitioner for a record keyed by its product id
 * (murmur2 of the key's UTF-8 bytes), as every producer of the article's topics keys them. The topics are
 * co-partitioned by product: partition p of every keyed topic holds the same products, which is what lets a
 * partition's owner decide alone and a snapshot of partition p depend on partition p of each topic only.
 */
public final class Partitioning {
    private Partitioning() {
    }

    /** The partition, of {@code partitions}, that records keyed by this product go to. */
    public static int partitionOf(String productId, int partitions) {
        return Utils.toPositive(Utils.murmur2(productId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
