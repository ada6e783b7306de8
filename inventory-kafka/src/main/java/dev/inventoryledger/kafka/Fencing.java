package dev.inventoryledger.kafka;

/**
 * How an {@link InventoryCluster} keeps a former owner's late decisions out of the history: what a frozen
 * owner writes after its partitions moved must count for nobody. Chosen with
 * {@link InventoryCluster.Builder#fencing(Fencing)}; every instance of one cluster must use the same.
 */
public enum Fencing {
    /**
     * Kafka's own fencing. Each owned partition has a transactional producer ({@code transactional.id}
     * {@code <groupId>-decisions-<partition>}); decisions go out in transactions, batched while the previous
     * commit is under way, and a caller is told the outcome only once its decision is committed. A new owner's
     * {@code initTransactions()} aborts its predecessor's open transaction at once, so a fenced owner's writes
     * are invisible to every {@code read_committed} reader (RisingWave, Flink or Connect set so, a plain consumer
     * set so, every replica) without it knowing anything of this library. The article's topics then carry only
     * the article's events: no claim records, and answers that changed nothing go to the requests topic. The
     * price: every decision waits for a commit, and a frozen owner's open transaction holds back
     * {@code read_committed} reads of its partitions (the shop's own events on them too) until the group moves
     * them, or {@code transaction.timeout.ms} passes (10 s unless given as a client property). Needs a broker
     * that allows transactions (on a single-node test broker, {@code transaction.state.log.replication.factor=1}
     * and {@code transaction.state.log.min.isr=1}) and, with ACLs, write on those transactional ids.
     */
    TRANSACTIONS,
    /**
     * The library's own fencing. An owner taking a partition writes a claim record carrying its epoch (the group
     * generation) on {@code reservations} and {@code orders}; its decisions carry the epoch in a header, and
     * every replica skips, in log order, a decision whose epoch is below the partition's last claim. Decisions
     * are plain idempotent sends, visible as soon as written. A reader that does not know the headers counts a
     * fenced owner's decisions as ordinary events, and meets the claims and answers that changed nothing as
     * records with no value on the article's topics.
     */
    EPOCH
}
