package dev.inventoryledger.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.core.internal.Checks;
import dev.inventoryledger.core.internal.LedgerAccess;
import dev.inventoryledger.kafka.internal.KafkaClients;
import dev.inventoryledger.kafka.internal.TopicCheck;
import dev.inventoryledger.kafka.internal.cluster.AnswerBook;
import dev.inventoryledger.kafka.internal.cluster.AnswerReader;
import dev.inventoryledger.kafka.internal.cluster.Baskets;
import dev.inventoryledger.kafka.internal.cluster.ClusterAnswer;
import dev.inventoryledger.kafka.internal.cluster.ClusterGate;
import dev.inventoryledger.kafka.internal.cluster.ClusterMetrics;
import dev.inventoryledger.kafka.internal.cluster.ClusterRequest;
import dev.inventoryledger.kafka.internal.cluster.Decider;
import dev.inventoryledger.kafka.internal.cluster.DecisionLog;
import dev.inventoryledger.kafka.internal.cluster.EpochLog;
import dev.inventoryledger.kafka.internal.cluster.LapseWatch;
import dev.inventoryledger.kafka.internal.cluster.OwnerLoop;
import dev.inventoryledger.kafka.internal.cluster.Ownership;
import dev.inventoryledger.kafka.internal.cluster.TransactionLog;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several storefront instances acting as one inventory authority: reads stay local, and every transition of a
 * product that can oversell — hold, confirm, extend, release — is decided by the one instance that owns the
 * product at that moment.
 *
 * <ul>
 *   <li><b>Reads.</b> {@link #ledger()} is a full replica, fed from the article's topics; {@code sellable}
 *       never leaves the process.</li>
 *   <li><b>Owners.</b> A consumer group of all instances over the requests topic ({@code reservation_requests},
 *       keyed by product and partitioned as {@code reservations} and {@code orders}) gives each partition to
 *       one instance. A call on a product whose partition this instance owns is decided on the caller's
 *       thread; any other goes to its owner as a request record. The owner decides against its replica, which
 *       counts its own decisions from the moment they are taken, and writes each as the article's ordinary
 *       events ({@code held}; {@code released}; a confirm as its order and the {@code released} of the units it
 *       took) to the partition of the product: one history that every replica, and any other reader that drops
 *       duplicates by identity, sees (the README's "Reading the topics from elsewhere").</li>
 *   <li><b>Fencing</b> ({@link Builder#fencing(Fencing)}): a former owner that wakes after its partitions moved
 *       (a long pause, a frozen VM) cannot get a decision counted that its successor did not see. An owner
 *       taking a partition decides only once its replica has read everything written before it took it.
 *       {@link Fencing#TRANSACTIONS}: its decisions go out in transactions of a producer per partition, which
 *       its successor's {@code initTransactions()} fences, aborting what was left open; the article's topics
 *       carry nothing but the article's events. {@link Fencing#EPOCH}: it writes a claim record (the group
 *       generation it was given the partition in: its epoch) on {@code reservations} and {@code orders}; its
 *       decisions carry its epoch, and every replica skips, in log order, a decision whose epoch is below the
 *       last claim of its partition; claims and answers that changed nothing are records with no value.</li>
 *   <li><b>Answers.</b> Each call returns a future that completes when this instance's replica has applied
 *       the decision (a read after it sees the hold), or, after {@link Builder#requestTimeout(Duration)}, with
 *       {@link ReservationResult.Status#OUTCOME_UNKNOWN} or {@link HoldOutcome#OUTCOME_UNKNOWN}. Asking again
 *       with the same reservation id is safe: it returns the decision taken, never a second hold. A call whose
 *       arguments the owner's ledger refuses (a part naming more units than the hold has) changes nothing and
 *       its future fails with the ledger's {@link dev.inventoryledger.core.InvalidEventException}, naming the
 *       field; one this instance can refuse (an invalid id, no lines) throws at once.</li>
 *   <li><b>Baskets</b> whose lines fall in several partitions are decided per owner, each part held under
 *       {@code <reservationId>~<partition>}; if a part is refused, the parts held are released and the caller
 *       gets the refusal: all or nothing in outcome, with a short window in which those parts were held.</li>
 *   <li><b>Failover.</b> {@link #close()} leaves the group, and its partitions move at once. A crashed or
 *       frozen owner's partitions move after the group's session timeout (6 s by default, the broker's
 *       minimum, with the classic group protocol); meanwhile requests for its products wait, are resent every
 *       {@link Builder#resendInterval(Duration)}, and are answered by the new owner, or are unknown.</li>
 *   <li><b>Snapshots.</b> Each owner writes the snapshots of its partitions to the snapshot topic every
 *       {@link Builder#snapshotInterval(Duration)} and at {@link #close()}, with their decisions held still and
 *       read back; a new instance with an empty disk starts from them and the log after them. Call
 *       {@link #close()} on shutdown (a shutdown hook): its partitions move at once.</li>
 *   <li><b>Health.</b> {@link #state()}: {@link FeedState#LIVE} when ready to decide. An instance whose own
 *       decision was fenced (it woke from a pause with a decision in hand) has counted something the history
 *       does not have: it stops deciding and reports {@link FeedState#FAILED}; restart it.</li>
 * </ul>
 *
 * <pre>{@code
 * InventoryCluster cluster = InventoryCluster.builder()
 *         .bootstrapServers("kafka:9092").instanceId("storefront-1")
 *         .ledger(InventoryLedger.builder().build()).build();
 * cluster.start();   // replica caught up, group joined, own partitions claimed
 * ReservationResult r = cluster.tryReserve("cart-42", lines, Duration.ofMinutes(15)).join();
 * if (r.accepted()) cluster.confirm("cart-42", "ORD-42").join();
 * cluster.close();
 * }</pre>
 *
 * <p>The ledger's own {@code tryReserve}, {@code confirm}, {@code release} and {@code extend} refuse to run
 * once a cluster drives it ({@link IllegalStateException} naming the cluster's call): they would decide locally
 * only. Meters, with a registry: {@code inventory.cluster.calls{op,
 * where=local|remote, outcome}} (a timer), {@code inventory.cluster.partitions.owned},
 * {@code inventory.cluster.fenced.records}, {@code inventory.cluster.waiting}, and the feed's.
 */
public final class InventoryCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryCluster.class);

    private final Builder settings;
    private final InventoryLedger ledger;
    private final KafkaClients clients;
    private final String me;
    private final Ownership ownership;
    private final AnswerBook answers;
    private final LapseWatch lapses = new LapseWatch();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile FeedState state = FeedState.STARTING;
    private volatile boolean started, closed;
    private KafkaInventoryFeed feed;
    private KafkaProducer<byte[], byte[]> producer;
    private Decider decider;
    private DecisionLog log;
    private ClusterGate gate;
    private OwnerLoop owner;
    private Thread ownerThread;
    private AnswerReader answerReader;
    private Thread answerThread;
    private ScheduledExecutorService ticker;
    private Baskets baskets;
    private ClusterMetrics metrics;

    private InventoryCluster(Builder b) {
        this.settings = b;
        this.ledger = b.ledger;
        this.clients = new KafkaClients(b.bootstrapServers, b.clientProperties, b.instanceId, b.registry);
        this.me = clients.instanceId() + "/" + UUID.randomUUID();
        this.ownership = new Ownership(2);
        this.answers = new AnswerBook(b.requestTimeout.toNanos(), b.resendInterval.toNanos());
    }

    /** A builder with the defaults documented on each method. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks the topics, starts the replica and waits until it is whole, joins the owners' group, and waits
     * until the partitions it was given are claimed and their claims read back: ready to decide.
     *
     * @throws IllegalStateException if started twice or closed, if a topic is missing or the three product-keyed
     *                               topics differ in partitions, or if it did not get ready within the start
     *                               timeout (the cluster is then closed)
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        try {
            requireNewLedger();
            int partitions = checkTopics();
            metrics = new ClusterMetrics(settings.registry, ownership::count, answers::size);
            producer = clients.clusterProducer();
            producer.partitionsFor(settings.requestsTopic); // metadata loaded before the first call
            log = decisionLog();
            decider = new Decider(ledger, log, me, settings.reservationsTopic(), settings.ordersTopic());
            ledger.addLocalEventListener(decider.listener());
            gate = new ClusterGate(me, partitions, ownership, answers, lapses, log::flush,
                    reason -> fail(new IllegalStateException(reason)));
            metrics.fenced(gate::fenced);
            baskets = new Baskets(ledger, partitions);
            state = FeedState.CATCHING_UP;
            feed = settings.feedBuilder().gate(gate).build();
            feed.start();
            if (settings.fencing == Fencing.TRANSACTIONS) {
                startAnswerReader(partitions);
            }
            startOwner();
            awaitReady();
            ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "inventory-cluster-ticker"));
            ticker.scheduleWithFixedDelay(this::tick, 20, 20, TimeUnit.MILLISECONDS);
            if (failure.get() == null) {
                state = FeedState.LIVE;
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("cluster did not start: " + e, e);
        }
    }

    /**
     * Holds the lines for {@code ttl}, all or nothing, each decided by its product's owner (see the class
     * comment). Completes with the decision once this replica has applied it, or with
     * {@link ReservationResult.Status#OUTCOME_UNKNOWN} after the request timeout.
     *
     * @throws dev.inventoryledger.core.InvalidEventException if the reservation id is invalid
     * @throws IllegalArgumentException if lines is empty or ttl not positive
     * @throws IllegalStateException    if not started, or closed
     */
    public CompletableFuture<ReservationResult> tryReserve(String reservationId, List<ReservationLine> lines,
                                                           Duration ttl) {
        requireLive();
        Checks.id("reservation_id", reservationId, " (cluster tryReserve)");
        if (lines == null || lines.isEmpty()) {
            throw new IllegalArgumentException("lines must hold at least one line but was " + lines);
        }
        long ttlMillis = Options.requirePositive("ttl", ttl).toMillis();
        Map<Integer, List<ReservationLine>> parts = baskets.split(lines);
        if (parts.size() == 1) {
            Map.Entry<Integer, List<ReservationLine>> only = parts.entrySet().iterator().next();
            return ask("hold", only.getKey(), new ClusterRequest(requestId(), ClusterRequest.Op.HOLD, reservationId,
                    null, ttlMillis, only.getValue())).thenApply(o -> result(reservationId, o));
        }
        List<CompletableFuture<ReservationResult>> asked = new ArrayList<>();
        parts.forEach((partition, part) -> {
            String partId = Baskets.partId(reservationId, partition);
            asked.add(ask("hold", partition, new ClusterRequest(requestId(), ClusterRequest.Op.HOLD, partId, null,
                    ttlMillis, part)).thenApply(o -> result(partId, o)));
        });
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<ReservationResult> results = asked.stream().map(CompletableFuture::join).toList();
            ReservationResult combined = Baskets.combine(reservationId, results);
            if (!combined.accepted() && combined.status() != ReservationResult.Status.OUTCOME_UNKNOWN) {
                results.stream().filter(ReservationResult::accepted)
                        .forEach(held -> release(held.reservationId())); // all or nothing
            }
            return combined;
        });
    }

    /** Turns the whole hold into an order (see {@link InventoryLedger#confirm(String, String)}), by its owners. */
    public CompletableFuture<HoldOutcome> confirm(String reservationId, String orderId) {
        Checks.id("order_id", orderId, " (cluster confirm of " + reservationId + ")");
        return each("confirm", reservationId, null, (partId, part) -> new ClusterRequest(requestId(),
                ClusterRequest.Op.CONFIRM, partId, orderId, 0, part));
    }

    /** Turns part of the hold into an order (see {@link InventoryLedger#confirm(String, String, List)}). */
    public CompletableFuture<HoldOutcome> confirm(String reservationId, String orderId, List<ReservationLine> part) {
        Checks.id("order_id", orderId, " (cluster confirm of " + reservationId + ")");
        return each("confirm", reservationId, requireLines(part), (partId, lines) -> new ClusterRequest(requestId(),
                ClusterRequest.Op.CONFIRM, partId, orderId, 0, lines));
    }

    /** Gives the whole hold back (see {@link InventoryLedger#release(String)}), by its owners. */
    public CompletableFuture<HoldOutcome> release(String reservationId) {
        return each("release", reservationId, null, (partId, part) -> new ClusterRequest(requestId(),
                ClusterRequest.Op.RELEASE, partId, null, 0, part));
    }

    /** Gives part of the hold back (see {@link InventoryLedger#release(String, List)}). */
    public CompletableFuture<HoldOutcome> release(String reservationId, List<ReservationLine> part) {
        return each("release", reservationId, requireLines(part), (partId, lines) -> new ClusterRequest(requestId(),
                ClusterRequest.Op.RELEASE, partId, null, 0, lines));
    }

    /** Renews the hold for {@code ttl} from now (see {@link InventoryLedger#extend(String, Duration)}). */
    public CompletableFuture<HoldOutcome> extend(String reservationId, Duration ttl) {
        long ttlMillis = Options.requirePositive("ttl", ttl).toMillis();
        return each("extend", reservationId, null, (partId, part) -> new ClusterRequest(requestId(),
                ClusterRequest.Op.EXTEND, partId, null, ttlMillis, null));
    }

    /** The local replica: reads at hash-map speed. Its own hold calls are refused (the cluster's owners decide). */
    public InventoryLedger ledger() {
        return ledger;
    }

    /** Where the cluster is: {@link FeedState#LIVE} while it decides. */
    public FeedState state() {
        return state;
    }

    /** Why the cluster stopped deciding, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** Whether this instance decides the product's holds now (its partition is owned here and claimed). */
    public boolean owns(String productId) {
        requireLive();
        Ownership.Partition p = ownership.get(baskets.partitionOf(Objects.requireNonNull(productId, "productId")));
        return p != null && p.ready();
    }

    /** Partitions of the requests topic this instance owns now. */
    public int ownedPartitions() {
        return ownership.count();
    }

    /**
     * Writes a snapshot of every partition this instance owns to the snapshot topic now, each with its decisions
     * held still for the capture (for tests, and for an operator before a deploy).
     *
     * @return completes once each is whole in the topic (at once if it owns none); exceptionally if one could
     *         not be written
     * @throws IllegalStateException if not started, or closed
     */
    public CompletableFuture<Void> snapshotNow() {
        requireLive();
        return feed.snapshotNow();
    }

    /** The replica's feed's view: lag, last applied record, its state. */
    public KafkaInventoryFeed.Status feedStatus() {
        KafkaInventoryFeed f = feed;
        return f == null ? new KafkaInventoryFeed.Status(FeedState.STARTING, -1, null, null, Map.of()) : f.status();
    }

    /**
     * Leaves the owners' group (its partitions go to the others at once), stops the replica, and completes
     * every call still waiting with an unknown outcome. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (state != FeedState.FAILED) {
            state = FeedState.CLOSED;
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        snapshotBeforeLeaving();
        if (owner != null) {
            owner.stop();
            join(ownerThread);
        }
        if (log != null) {
            log.close(settings.closeTimeout); // what the owner decided last is written
        }
        if (answerReader != null) {
            answerReader.stop();
            join(answerThread);
        }
        if (feed != null) {
            feed.close(); // its last checkpoint flushes the producer first
        }
        if (producer != null) {
            producer.close(settings.closeTimeout);
        }
        answers.abandonAll();
        if (metrics != null) {
            metrics.close();
        }
    }

    // ------------------------------------------------------------------------------------------ steps

    /**
     * The ledger must be new and empty (its state comes from the topics, the snapshots or the checkpoint), and
     * from here its own decisions are refused: only this cluster's owners decide.
     */
    private void requireNewLedger() {
        int positions = ledger.positions().size();
        if (positions > 0 || ledger.activeHolds() > 0) {
            throw new IllegalStateException("the cluster's ledger must be new and empty, but it has "
                    + positions + " positions and " + ledger.activeHolds() + " active holds: give "
                    + "the cluster InventoryLedger.builder().build(), and change settings (safety stock, thresholds) "
                    + "after start()");
        }
        LedgerAccess.guard(ledger).driveBy("InventoryCluster instance " + me);
    }

    /** At close, while still the owner: a snapshot of each owned partition, so the next owner reads little. */
    private void snapshotBeforeLeaving() {
        if (feed == null || owner == null || failure.get() != null || settings.snapshotInterval.isZero()) {
            return;
        }
        try {
            feed.snapshotNow().get(settings.closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("no snapshot at close (the last one stays): {}", e.toString());
        }
    }

    private int checkTopics() {
        List<String> topics = List.of(settings.requestsTopic, settings.reservationsTopic(), settings.ordersTopic());
        Map<String, Integer> counts;
        try (var admin = clients.admin()) {
            counts = TopicCheck.requireAll(admin, topics, settings.startTimeout, clients.bootstrapServers(),
                    "the cluster");
        }
        if (counts.values().stream().distinct().count() != 1) {
            throw new IllegalStateException("the requests, reservations and orders topics must have as many "
                    + "partitions each (one owner per product across them) but have " + counts);
        }
        return counts.get(settings.requestsTopic);
    }

    /** Where decisions are written: in transactions per partition, or the one producer stamping epochs. */
    private DecisionLog decisionLog() {
        List<String> decided = List.of(settings.reservationsTopic(), settings.ordersTopic());
        if (settings.fencing == Fencing.EPOCH) {
            return new EpochLog(producer, me, decided, this::fail);
        }
        String prefix = settings.groupId + "-decisions-";
        return new TransactionLog(p -> clients.transactionalProducer(prefix + p, p), clients.admin(), decided,
                settings.requestsTopic, () -> feed.appliedOffsets(), ownership, this::fail, settings.closeTimeout);
    }

    private void startAnswerReader(int partitions) {
        answerReader = new AnswerReader(clients.answersConsumer(), settings.requestsTopic, partitions, answers,
                this::fail);
        answerThread = daemon(answerReader, "inventory-cluster-answers");
        answerThread.start();
    }

    private void startOwner() throws InterruptedException {
        owner = new OwnerLoop(clients.clusterConsumer(settings.groupId), log, settings.requestsTopic,
                ownership, decider, lapses,
                java.time.Clock.systemUTC(), this::fail, settings.closeTimeout);
        ownerThread = daemon(owner, "inventory-cluster-owner");
        ownerThread.start();
        if (!owner.joined().await(settings.startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the owners' group " + settings.groupId + " did not take this instance in "
                    + "within " + settings.startTimeout);
        }
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + settings.startTimeout.toNanos();
        while (!ownership.allReady()) {
            if (failure.get() != null) {
                throw new IllegalStateException("cluster failed while starting: " + failure.get(), failure.get());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the claims of this instance's partitions were not read back within "
                        + settings.startTimeout);
            }
            Thread.sleep(5);
        }
    }

    /** One call to the owner of one partition: here, on this thread, or through the requests topic. */
    private CompletableFuture<Object> ask(String op, int partition, ClusterRequest request) {
        long began = System.nanoTime();
        if (failure.get() != null) {
            return CompletableFuture.completedFuture(AnswerBook.UNKNOWN); // it decides nothing any more
        }
        Ownership.Partition p = ownership.get(partition);
        if (p != null && p.ready()) {
            CompletableFuture<Object> decided = p.whileOwned(() -> decideHere(request, p, began));
            if (decided != null) {
                return metrics.timed(decided, op, "local", began);
            }
        }
        CompletableFuture<Object> f = answers.expect(request, partition, true, began);
        send(request, partition);
        return metrics.timed(f, op, "remote", began);
    }

    /** Decides the request on this thread, this instance owning its partition; completes once read back. */
    private CompletableFuture<Object> decideHere(ClusterRequest request, Ownership.Partition p, long began) {
        CompletableFuture<Object> f = answers.expect(request, p.partition, false, began);
        Decider.Decision d;
        try {
            d = decider.decide(request, p, false);
        } catch (RuntimeException refused) { // the ledger refused the arguments: nothing to wait for
            answers.forget(request.requestId());
            throw refused;
        }
        if (d.records() == 0) { // told once what it answers to is written for readers
            log.whenWritten(p.partition, () -> answers.completeNow(request.requestId(), d.outcome()));
        }
        return f;
    }

    /** A hold call on every part of the reservation (or of the lines given), the outcomes combined. */
    private CompletableFuture<HoldOutcome> each(String op, String reservationId, List<ReservationLine> lines,
                                                java.util.function.BiFunction<String, List<ReservationLine>,
                                                        ClusterRequest> request) {
        requireLive();
        Checks.id("reservation_id", reservationId, " (cluster " + op + ")");
        Map<Integer, Baskets.Part> parts = baskets.parts(reservationId, lines);
        if (parts.isEmpty()) {
            return CompletableFuture.completedFuture(HoldOutcome.UNKNOWN);
        }
        List<CompletableFuture<HoldOutcome>> asked = new ArrayList<>();
        parts.forEach((partition, part) -> asked.add(ask(op, partition, request.apply(part.id(), part.lines()))
                .thenApply(InventoryCluster::outcome)));
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                .thenApply(done -> Baskets.combine(asked.stream().map(CompletableFuture::join).toList()));
    }

    private static ReservationResult result(String reservationId, Object outcome) {
        refuseIf(outcome);
        return outcome instanceof ReservationResult r ? r : ReservationResult.of(reservationId,
                ReservationResult.Status.OUTCOME_UNKNOWN, 0, null, List.of(), List.of());
    }

    private static HoldOutcome outcome(Object outcome) {
        refuseIf(outcome);
        return outcome instanceof HoldOutcome h ? h : HoldOutcome.OUTCOME_UNKNOWN;
    }

    /** An owner refused the arguments: the caller's future fails as the ledger would have thrown. */
    private static void refuseIf(Object outcome) {
        if (outcome instanceof ClusterAnswer.Refused refused) {
            throw refused.exception();
        }
    }

    private void send(ClusterRequest request, int partition) {
        producer.send(new ProducerRecord<>(settings.requestsTopic, partition,
                request.key().getBytes(StandardCharsets.UTF_8), request.encode()), (metadata, e) -> {
            if (e != null) {
                LOG.warn("request {} not sent (it is sent again until its timeout): {}", request.requestId(),
                        e.toString());
            }
        });
    }

    private void tick() {
        try {
            answers.tick(System.nanoTime(), w -> send(w.request, w.partition));
        } catch (RuntimeException e) {
            LOG.warn("cluster ticker: {}", e.toString());
        }
    }

    private void fail(Throwable why) {
        if (failure.compareAndSet(null, why)) {
            LOG.error("cluster instance {} stops deciding: {}", me, why.toString());
            state = FeedState.FAILED;
            if (owner != null) {
                owner.stop();
            }
            // not on this thread: it may be the producer's, which a decider blocked in send() waits for
            CompletableFuture.runAsync(ownership::revokeAll);
        }
    }

    private void requireLive() {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (state != FeedState.LIVE && state != FeedState.FAILED) { // a failed one answers unknown
            throw new IllegalStateException(started ? "start() has not returned yet" : "call start() first");
        }
    }

    private String requestId() {
        return me + ":" + requestIds.incrementAndGet();
    }

    private static List<ReservationLine> requireLines(List<ReservationLine> part) {
        if (part == null || part.isEmpty()) {
            throw new IllegalArgumentException("part must hold at least one line but was " + part);
        }
        return part;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings of a cluster instance; every Kafka client property passes through. */
    public static final class Builder extends ServiceBuilder<Builder> {
        private InventoryLedger ledger;
        private String groupId = "inventory-cluster";
        private String requestsTopic = "reservation_requests";
        private final java.util.EnumMap<EventKind, String> topics = new java.util.EnumMap<>(EventKind.class);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration resendInterval = Duration.ofMillis(500);
        private Duration startTimeout = Duration.ofMinutes(5);
        private String deadLetterTopic;
        private java.nio.file.Path checkpointFile;
        private Duration checkpointInterval = Duration.ofSeconds(60);
        private KafkaInventoryFeed.Start start = KafkaInventoryFeed.Start.EARLIEST;
        private Duration snapshotInterval = Duration.ofMinutes(5);
        private String snapshotTopic = InventoryTopics.DEFAULT_SNAPSHOT_TOPIC;
        private Fencing fencing = Fencing.EPOCH;

        private Builder() {
        }

        /**
         * How a former owner's late decisions are kept out of the history (see {@link Fencing}): every instance of
         * one cluster must use the same. Default {@link Fencing#EPOCH}.
         */
        public Builder fencing(Fencing fencing) {
            this.fencing = Objects.requireNonNull(fencing, "fencing");
            return this;
        }

        /**
         * Where the replica begins without a checkpoint or snapshot: {@link KafkaInventoryFeed.Start#EARLIEST}
         * (the default: the whole history, and {@link #start()} fails if the log no longer holds its beginning),
         * or {@link KafkaInventoryFeed.Start#LOG_START} (accept a history whose beginning is gone: for a shop
         * adopting the library on such topics, which then supplies opening balances). An owner must know
         * everything before its decisions, so {@link KafkaInventoryFeed.Start#LATEST} is refused.
         *
         * @throws IllegalArgumentException for {@code LATEST}
         */
        public Builder startFrom(KafkaInventoryFeed.Start start) {
            Checks.argument(Objects.requireNonNull(start, "start") != KafkaInventoryFeed.Start.LATEST,
                    "a cluster's replica must read the whole history: startFrom must be EARLIEST or LOG_START but "
                            + "was %s", start);
            this.start = start;
            return this;
        }

        /** The ledger this instance keeps as its replica: new and empty. Required. */
        public Builder ledger(InventoryLedger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            return this;
        }

        /** The owners' consumer group, the same for every instance of one shop. Default {@code inventory-cluster}. */
        public Builder groupId(String groupId) {
            this.groupId = Options.requireText("groupId", groupId);
            return this;
        }

        /** The requests topic. Default {@code reservation_requests}; partitioned as reservations and orders. */
        public Builder requestsTopic(String topic) {
            this.requestsTopic = Options.requireText("requestsTopic", topic);
            return this;
        }

        /** Reads (and, for reservations and orders, writes) this kind of event on another topic. */
        public Builder topic(EventKind kind, String topic) {
            topics.put(Objects.requireNonNull(kind, "kind"), Options.requireText("topic", topic));
            return this;
        }

        /** Where the replica's feed sends records it cannot take. Default {@code inventory_dead_letters}. */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = Options.requireText("deadLetterTopic", topic);
            return this;
        }

        /** How long a call waits for its decision before it completes as unknown. Default 10 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Options.requirePositive("requestTimeout", timeout);
            return this;
        }

        /** How often an unanswered request to another owner is sent again. Default 500 ms. */
        public Builder resendInterval(Duration interval) {
            this.resendInterval = Options.requirePositive("resendInterval", interval);
            return this;
        }

        /** How long {@link #start()} waits for the replica and the group. Default 5 min. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Options.requirePositive("startTimeout", timeout);
            return this;
        }

        /**
         * Keeps the replica in this file: {@link #start()} restores it and reads the topics from its offsets on.
         * It is written on an interval (see {@link #checkpointInterval(Duration)}) and at close, each time while
         * no decision is under way and after every decision taken has been written to the log. Default: none (the
         * replica reads the topics from their beginning at every start).
         */
        public Builder checkpoint(java.nio.file.Path file) {
            this.checkpointFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * How often each owner writes the snapshots of the partitions it owns to the snapshot topic, and so how
         * much of the log a new instance with an empty disk reads after the newest one (see
         * {@link KafkaInventoryFeed.Builder#snapshotTopic(String)}). Each is taken with the partition's decisions
         * held still, every decision taken written and read back, and carries the owner's epoch: one written by an
         * owner that was fenced is never used. Also written at {@link InventoryCluster#close()}.
         * {@link Duration#ZERO} turns the owners' snapshots off (a new instance still reads those there are).
         * Default 5 minutes: the source topics' retention must cover the log since the oldest snapshot in use,
         * so keep it well above this (README, "History is finite").
         *
         * @throws IllegalArgumentException if negative, or positive and under a second
         */
        public Builder snapshotInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            Checks.argument(!interval.isNegative() && (interval.isZero() || interval.toMillis() >= 1_000),
                    "snapshotInterval must be 0 or at least 1 s but was %s", interval);
            this.snapshotInterval = interval;
            return this;
        }

        /** The shared snapshots' topic. Default {@code inventory_snapshots}. */
        public Builder snapshotTopic(String topic) {
            this.snapshotTopic = Options.requireText("snapshotTopic", topic);
            return this;
        }

        /** How often the checkpoint is written while running. Default 60 s. */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Options.requirePositive("checkpointInterval", interval);
            return this;
        }

        /** A cluster instance, not yet started. */
        public InventoryCluster build() {
            Objects.requireNonNull(ledger, "ledger must be set");
            if (bootstrapServers == null && !clientProperties.containsKey("bootstrap.servers")) {
                throw new IllegalStateException("bootstrapServers must be set (or the client property "
                        + "bootstrap.servers)");
            }
            return new InventoryCluster(this);
        }

        String reservationsTopic() {
            return topics.getOrDefault(EventKind.RESERVATION_HELD, EventKind.RESERVATION_HELD.defaultTopic());
        }

        String ordersTopic() {
            return topics.getOrDefault(EventKind.ORDER_PLACED, EventKind.ORDER_PLACED.defaultTopic());
        }

        KafkaInventoryFeed.Builder feedBuilder() {
            KafkaInventoryFeed.Builder f = KafkaInventoryFeed.builder()
                    .ledger(ledger).startFrom(start).closeTimeout(closeTimeout)
                    .startTimeout(startTimeout).snapshotTopic(snapshotTopic).snapshotInterval(snapshotInterval);
            if (bootstrapServers != null) {
                f.bootstrapServers(bootstrapServers);
            }
            if (instanceId != null) {
                f.instanceId(instanceId);
            }
            clientProperties.forEach(f::clientProperty);
            if (deadLetterTopic != null) {
                f.deadLetterTopic(deadLetterTopic);
            }
            if (checkpointFile != null) {
                f.checkpoint(checkpointFile).checkpointInterval(checkpointInterval);
            }
            topics.forEach(f::topic);
            if (registry != null) {
                f.meterRegistry(registry);
            }
            return f;
        }
    }
}
