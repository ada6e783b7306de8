/**
 * {@code InventoryCluster}'s machinery: {@link dev.inventoryledger.kafka.internal.cluster.OwnerLoop} (the group
 * member that claims partitions and decides their requests), {@link dev.inventoryledger.kafka.internal.cluster.Decider}
 * (one decision against the ledger, written as the article's events), {@link
 * dev.inventoryledger.kafka.internal.cluster.Ownership} (owned partitions and their locks),
 * {@link dev.inventoryledger.kafka.internal.cluster.AnswerBook} (waiting calls),
 * {@link dev.inventoryledger.kafka.internal.cluster.FencingGate} and
 * {@link dev.inventoryledger.kafka.internal.cluster.ClusterGate} (the fencing rule, applied by every feed),
 * {@link dev.inventoryledger.kafka.internal.cluster.LapseWatch} (open holds by expiry),
 * {@link dev.inventoryledger.kafka.internal.cluster.Baskets}, the wire forms and the meters.
 */
package dev.inventoryledger.kafka.internal.cluster;
