package dev.inventoryledger.kafka;

/**
 * Where a feed began reading one partition at {@code start()}, and how much it had to read there to be whole.
 *
 * @param origin    what the resume point came from
 * @param offset    the first offset read
 * @param endOffset the partition's end when the feed started: the replica is whole for it once read up to here
 */
public record StartPoint(Origin origin, long offset, long endOffset) {
    /** What a partition's resume point came from. */
    public enum Origin {
        /** The local checkpoint file's offsets. */
        CHECKPOINT,
        /** The newest whole shared snapshot on the snapshot topic. */
        SNAPSHOT,
        /** Offset 0: the whole history, still all in the log. */
        HISTORY_START,
        /**
         * The log's start, above 0, taken on purpose ({@link KafkaInventoryFeed.Start#LOG_START}): the history
         * before it is gone, and the shop supplies opening balances.
         */
        LOG_START,
        /** Offsets given to the builder ({@code startFrom(offsets)}). */
        GIVEN,
        /** The partition's end: only what is written after the start ({@link KafkaInventoryFeed.Start#LATEST}). */
        LATEST
    }

    /** Records the feed had to read in this partition before it was whole. */
    public long toRead() {
        return Math.max(0, endOffset - offset);
    }
}
