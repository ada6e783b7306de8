package dev.inventoryledger.kafka.internal.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The partitions this instance owns, each at the epoch it was assigned them in. A partition may be decided for
 * once its claim has been read back on every topic the owner writes, or, with transactions, once the replica has
 * read up to where the partition stood when its transactions began ({@link Partition#ready}): the replica has
 * then read everything written before, including a predecessor's last decisions. Deciders hold the
 * partition's read lock from the check to the send; giving a partition up takes the write lock, so that no
 * decision is begun after it and every one begun before it has been handed to the producer.
 */
public final class Ownership {
    /** One owned partition. */
    public static final class Partition {
        public final int partition;
        public final long epoch;
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final AtomicInteger claimsRead = new AtomicInteger();
        private volatile boolean owned = true, ready;
        /** Decisions taken on the partition at this epoch; under this object's monitor (see {@link Decider}). */
        long decisions;

        Partition(int partition, long epoch) {
            this.partition = partition;
            this.epoch = epoch;
        }

        /**
         * Runs {@code decision} under the read lock if the partition is still owned, and returns what it returns;
         * null, without running it, if the partition was given up.
         */
        public <T> T whileOwned(java.util.function.Supplier<T> decision) {
            lock.readLock().lock();
            try {
                return owned ? decision.get() : null;
            } finally {
                lock.readLock().unlock();
            }
        }

        /** The claim has been read back on every topic: the replica is whole for this partition. */
        public boolean ready() {
            return ready && owned;
        }
    }

    private final Map<Integer, Partition> owned = new ConcurrentHashMap<>();
    private final int claimTopics;

    /** @param claimTopics on how many topics a claim is written (and must be read back) */
    public Ownership(int claimTopics) {
        this.claimTopics = claimTopics;
    }

    /** Takes the partition at this epoch (before its claims are sent). */
    public Partition claim(int partition, long epoch) {
        Partition p = new Partition(partition, epoch);
        Partition old = owned.put(partition, p);
        if (old != null) {
            give(old);
        }
        return p;
    }

    /** This instance's claim was read back on one topic. */
    public void claimRead(int partition, long epoch) {
        Partition p = owned.get(partition);
        if (p != null && p.epoch == epoch && p.claimsRead.incrementAndGet() == claimTopics) {
            p.ready = true;
        }
    }

    /**
     * This instance's replica has read everything committed on the partition's topics before it took it (the
     * transactions' way of being whole, {@link TransactionLog}): ready.
     */
    public void caughtUp(int partition, long epoch) {
        Partition p = owned.get(partition);
        if (p != null && p.epoch == epoch) {
            p.ready = true;
        }
    }

    /** The partition, or null if not owned. */
    public Partition get(int partition) {
        return owned.get(partition);
    }

    /** Gives the partition up: waits for the decisions under way on it. */
    public void revoke(int partition) {
        Partition p = owned.remove(partition);
        if (p != null) {
            give(p);
        }
    }

    /** Gives every partition up. */
    public void revokeAll() {
        for (Integer p : List.copyOf(owned.keySet())) {
            revoke(p);
        }
    }

    /**
     * Runs {@code still} while no decision is under way or can begin on any partition owned now (each one's
     * write lock held, in partition order).
     */
    public void holdStill(Runnable still) {
        holdStill(owned.keySet(), still);
    }

    /**
     * Runs {@code still} while no decision is under way or can begin on these partitions (those owned now: each
     * one's write lock held, in partition order).
     */
    public void holdStill(java.util.Collection<Integer> partitions, Runnable still) {
        List<Partition> held = partitions.stream().sorted().map(owned::get).filter(java.util.Objects::nonNull)
                .toList();
        held.forEach(p -> p.lock.writeLock().lock());
        try {
            still.run();
        } finally {
            held.forEach(p -> p.lock.writeLock().unlock());
        }
    }

    /** The partitions owned now, ready or not. */
    public List<Integer> partitions() {
        return List.copyOf(owned.keySet());
    }

    /** Partitions owned now, ready or not. */
    public int count() {
        return owned.size();
    }

    /** True if every owned partition is ready. */
    public boolean allReady() {
        for (Partition p : owned.values()) {
            if (!p.ready()) {
                return false;
            }
        }
        return true;
    }

    private static void give(Partition p) {
        p.lock.writeLock().lock();
        try {
            p.owned = false;
        } finally {
            p.lock.writeLock().unlock();
        }
    }
}
