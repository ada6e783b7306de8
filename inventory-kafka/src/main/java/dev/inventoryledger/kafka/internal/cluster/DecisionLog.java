package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.Collection;

/**
 * Where an owner's decisions are written, and how a partition is taken and given up: the fencing of a cluster
 * ({@link EpochLog}, {@link TransactionLog}). Deciders call {@link #send} under the partition's monitor, in
 * the order of decision; the owner loop calls the rest on its thread.
 */
public interface DecisionLog {
    /** Whether decisions carry their owner's epoch, for the replicas' fencing rule ({@link FencingGate}). */
    boolean stampsEpoch();

    /** The topic an answer that changed nothing goes to. */
    String answersTopic();

    /** Writes a record of a decision on the partition; the caller holds the partition's monitor. */
    void send(Ownership.Partition partition, ProducerRecord<byte[], byte[]> record);

    /** Runs {@code then} once every record sent on the partition so far is written for readers. */
    void whenWritten(int partition, Runnable then);

    /**
     * Waits until every record sent so far is written for readers.
     *
     * @throws IllegalStateException if that cannot be (the cluster instance has failed)
     */
    void flush();

    /** These partitions were assigned at this epoch (each already in {@link Ownership}, not yet ready). */
    void taken(Collection<Integer> partitions, long epoch);

    /** These partitions were revoked or lost (each already out of {@link Ownership}): write what was decided. */
    void givenUp(Collection<Integer> partitions);

    /** Gives every partition up and closes the clients. */
    void close(Duration timeout);
}
