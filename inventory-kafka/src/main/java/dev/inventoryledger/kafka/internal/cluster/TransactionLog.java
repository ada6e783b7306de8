package dev.inventoryledger.kafka.internal.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * {@link dev.inventoryledger.kafka.Fencing#TRANSACTIONS}: each owned partition has its own transactional
 * producer ({@code transactional.id} {@code <groupId>-decisions-<partition>}) and a thread that writes its
 * decisions in transactions, one after another: the records decided while a commit is under way go out together
 * in the next (a group commit). Taking a partition, that thread calls {@code initTransactions()}, which fences
 * the predecessor's producer and aborts its open transaction, then waits until this replica has read the
 * partition's topics up to their last stable offsets: it has then counted every decision committed before, and
 * the partition is ready. A failed commit (a successor fenced this producer while it was frozen) means that this
 * replica counted decisions that never happened: the instance fails.
 */
public final class TransactionLog implements DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionLog.class);
    private static final long FLUSH_MILLIS = 30_000;

    private final IntFunction<KafkaProducer<byte[], byte[]>> producers;
    private final Admin admin;
    private final List<String> topics;
    private final String answersTopic;
    private final Supplier<Map<TopicPartition, Long>> replicaRead;
    private final Ownership ownership;
    private final Consumer<Throwable> failed;
    private final Duration closeTimeout;
    private final Map<Integer, Writer> writers = new ConcurrentHashMap<>();

    /**
     * @param producers   a new transactional producer for a partition
     * @param topics      the topics decisions go to (the replica must have read them before deciding)
     * @param replicaRead the replica's next offset to read, per partition of every topic it reads
     */
    public TransactionLog(IntFunction<KafkaProducer<byte[], byte[]>> producers, Admin admin, List<String> topics,
                          String answersTopic, Supplier<Map<TopicPartition, Long>> replicaRead, Ownership ownership,
                          Consumer<Throwable> failed, Duration closeTimeout) {
        this.producers = producers;
        this.admin = admin;
        this.topics = List.copyOf(topics);
        this.answersTopic = answersTopic;
        this.replicaRead = replicaRead;
        this.ownership = ownership;
        this.failed = failed;
        this.closeTimeout = closeTimeout;
    }

    /** No: a fenced owner's decisions are aborted, not skipped by epoch. */
    @Override
    public boolean stampsEpoch() {
        return false;
    }

    @Override
    public String answersTopic() {
        return answersTopic;
    }

    @Override
    public void send(Ownership.Partition partition, ProducerRecord<byte[], byte[]> record) {
        Writer w = writers.get(partition.partition);
        if (w == null || w.epoch != partition.epoch) {
            throw new IllegalStateException("partition " + partition.partition + " has no transactions at epoch "
                    + partition.epoch);
        }
        w.add(record);
    }

    @Override
    public void whenWritten(int partition, Runnable then) {
        Writer w = writers.get(partition);
        if (w == null) {
            then.run(); // given up: everything it sent was committed, or the instance failed
        } else {
            w.whenCommitted(then);
        }
    }

    @Override
    public void flush() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS);
        for (Writer w : List.copyOf(writers.values())) {
            w.awaitCommitted(deadline);
        }
    }

    @Override
    public void taken(Collection<Integer> partitions, long epoch) {
        for (int p : partitions) {
            Writer w = new Writer(p, epoch);
            Writer old = writers.put(p, w);
            if (old != null) {
                old.finish();
            }
            w.thread.start();
        }
    }

    @Override
    public void givenUp(Collection<Integer> partitions) {
        List<Writer> leaving = new ArrayList<>();
        for (int p : partitions) {
            Writer w = writers.remove(p);
            if (w != null) {
                w.stop();
                leaving.add(w);
            }
        }
        leaving.forEach(Writer::finish); // each commits what it was given, then closes its producer
    }

    @Override
    public void close(Duration timeout) {
        givenUp(List.copyOf(writers.keySet()));
        admin.close(timeout);
    }

    /** One partition's producer and the thread that writes its transactions. */
    private final class Writer implements Runnable {
        final int partition;
        final long epoch;
        final Thread thread;
        private final List<ProducerRecord<byte[], byte[]>> queue = new ArrayList<>();
        private final List<Runnable> afterNext = new ArrayList<>();
        /** Records handed in, and records committed; under this object's monitor. */
        private long given, committed;
        private boolean stopping;
        private Throwable broken;

        Writer(int partition, long epoch) {
            this.partition = partition;
            this.epoch = epoch;
            this.thread = new Thread(this, "inventory-cluster-transactions-" + partition);
            this.thread.setDaemon(true);
        }

        synchronized void add(ProducerRecord<byte[], byte[]> record) {
            if (stopping || broken != null) {
                throw new IllegalStateException("the transactions of partition " + partition + " are closed");
            }
            queue.add(record);
            given++;
            notifyAll();
        }

        void whenCommitted(Runnable then) {
            synchronized (this) {
                if (committed < given) {
                    afterNext.add(then); // runs after the commit of the batch that holds the records given so far
                    return;
                }
            }
            then.run();
        }

        synchronized void awaitCommitted(long deadlineNanos) {
            long target = given;
            while (committed < target && broken == null) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the decisions of partition " + partition + " were not committed "
                            + "within " + FLUSH_MILLIS + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for partition " + partition + "'s commit", e);
                }
            }
            if (broken != null && committed < target) {
                throw new IllegalStateException("the decisions of partition " + partition + " were not committed: "
                        + broken, broken);
            }
        }

        synchronized void stop() {
            stopping = true;
            notifyAll();
        }

        void finish() {
            stop();
            try {
                thread.join(closeTimeout.toMillis() + FLUSH_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            KafkaProducer<byte[], byte[]> producer = null;
            try {
                producer = producers.apply(partition);
                producer.initTransactions(); // fences the predecessor; its open transaction is aborted
                catchUp();
                while (true) {
                    List<ProducerRecord<byte[], byte[]>> batch;
                    long upTo;
                    synchronized (this) {
                        while (queue.isEmpty() && !stopping) {
                            wait();
                        }
                        if (queue.isEmpty()) {
                            return; // stopping, everything given committed
                        }
                        batch = List.copyOf(queue);
                        queue.clear();
                        upTo = given;
                    }
                    producer.beginTransaction();
                    for (ProducerRecord<byte[], byte[]> r : batch) {
                        producer.send(r); // a failed send fails the commit
                    }
                    producer.commitTransaction();
                    List<Runnable> then;
                    synchronized (this) {
                        committed = upTo;
                        then = List.copyOf(afterNext);
                        afterNext.clear();
                        notifyAll();
                    }
                    then.forEach(Runnable::run);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                breaks(e);
            } catch (Throwable t) {
                breaks(t);
            } finally {
                if (producer != null) {
                    try {
                        producer.close(closeTimeout);
                    } catch (RuntimeException e) {
                        LOG.warn("closing partition {}'s transactional producer: {}", partition, e.toString());
                    }
                }
            }
        }

        /**
         * Waits until the replica has read the partition of every topic decided into up to its last stable offset
         * now (everything committed before, including what the predecessor wrote), then makes the partition ready.
         */
        private void catchUp() throws Exception {
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            topics.forEach(t -> ask.put(new TopicPartition(t, partition), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(FLUSH_MILLIS, TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            while (true) {
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                }
                Map<TopicPartition, Long> read = replicaRead.get();
                if (ends.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
                    ownership.caughtUp(partition, epoch);
                    LOG.info("partition {} ready at epoch {} (transactions)", partition, epoch);
                    return;
                }
                Thread.sleep(2);
            }
        }

        private void breaks(Throwable t) {
            boolean uncommitted;
            synchronized (this) {
                broken = t;
                uncommitted = given > committed;
                afterNext.clear(); // never told: their callers' futures end unknown
                notifyAll();
            }
            if (uncommitted || !(t instanceof org.apache.kafka.common.errors.ProducerFencedException)) {
                failed.accept(new IllegalStateException("partition " + partition + "'s transactions at epoch " + epoch
                        + " failed, so this replica may count decisions the history does not have: " + t, t));
            } else { // fenced with nothing in hand: a newer owner has the partition, and the group will say so
                LOG.warn("partition {} at epoch {}: a newer owner's producer fenced this one", partition, epoch);
            }
        }
    }
}
