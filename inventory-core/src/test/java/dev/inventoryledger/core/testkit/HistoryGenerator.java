package dev.inventoryledger.core.testkit;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Random histories of inventory events, for the properties that hold the ledger (core) and the replay tool
 * (examples) to the article's SQL ({@link ArticleSql}).
 *
 * <p>A history is built from a list of generated "acts": each act is a kind plus raw numbers read modulo their
 * ranges, so that it shrinks toward the simplest event. Every event comes with three more raw numbers of its
 * own ({@link GeneratedEvent}): a sort key for the order in which it is delivered, a second one for another
 * order, and a free one the user reads as it likes (core re-times a second delivery with it, the replay spells
 * the event's JSON line). Because the keys belong to the events, shrinking an act away leaves the order of the
 * others alone, and a key shrunk to 0 moves its event toward build order.
 *
 * <p>The acts, in {@link Mode#ARTICLE} and {@link Mode#LIFECYCLE}:
 * <ul>
 *   <li>STOCK: one order, cancellation, return or receipt; ids from a small pool; one in ten with an event_id
 *       from a smaller pool (the same event_id on one product: one identity; on another product: another).</li>
 *   <li>ORDER_AND_CANCEL: an order line and its cancellation (the keys often put the cancellation first).</li>
 *   <li>HOLD, ARTICLE: a held with a reservation id of its own and (two times in three) releases of it: one of
 *       the same quantity, one of part of it, or two parts with event_ids of their own, never more than held.
 *       Only what the article's "held minus released" computes exactly: no release without its held, no
 *       over-release, no conflicting reservation events, no reservation id on orders.</li>
 *   <li>HOLD, LIFECYCLE: reservation ids from a small pool (a reservation may have lines on several positions,
 *       and acts collide); the held sometimes missing, with the expiry {@link Builder#holdExpiries} gives its
 *       line; a released sometimes (the held's quantity, or any other: partial releases and over-releases, at
 *       any time: often before its held), and one time in four a further release with an event_id of its own
 *       (so that a line's releases add up); zero to two orders that consume the reservation, usually on the
 *       hold's position, sometimes on another warehouse, with the hold's quantity or another, one time in
 *       eight with an event_id.</li>
 *   <li>REDELIVER: an earlier event again, exactly or (one time in three) with another event time.</li>
 *   <li>CONFLICT: an earlier event (ARTICLE: a stock event only) with the same identity and another payload:
 *       another quantity; on an order (LIFECYCLE) another reservation id; with an event_id, another warehouse;
 *       half the time with another event time as well.</li>
 * </ul>
 * What differs between users is set by a {@link #builder}: the universe (products, warehouses, id pools, event
 * times, expiries), how many acts of each kind, and two restrictions ({@link Builder#cutByEventTime()},
 * {@link Builder#consumingOrdersApart()}).
 */
public final class HistoryGenerator {

    /** What the histories may contain. */
    public enum Mode {
        /** What the article's SQL computes exactly (see the class comment). */
        ARTICLE,
        /** The ledger's whole hold lifecycle. */
        LIFECYCLE
    }

    /**
     * One built event and the raw numbers drawn for it (each in 0 to 2^20): {@code firstKey} and
     * {@code secondKey} to sort by ({@link #inOrder}), {@code variant} for whatever the user varies per event.
     */
    public record GeneratedEvent(InventoryEvent event, int firstKey, int secondKey, int variant) {
    }

    /** The expiry of a hold line, or null for none, from the indices of its reservation, product, warehouse. */
    @FunctionalInterface
    public interface HoldExpiry {
        HoldExpiry NONE = (reservation, product, warehouse) -> null;

        Instant of(int reservation, int product, int warehouse);
    }

    private static final EventKind[] STOCK_KINDS = {EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED,
            EventKind.RETURN_RECEIVED, EventKind.STOCK_RECEIVED};

    private final Settings s;

    private HistoryGenerator(Settings settings) {
        this.s = settings;
    }

    /** A generator over these products and warehouses, with event times {@code times.apply(n)} for raw n. */
    public static Builder builder(List<String> products, List<String> warehouses, IntFunction<Instant> times) {
        return new Builder(products, warehouses, times);
    }

    /** Histories in build order (act by act), each event with its keys and variant; they shrink by acts. */
    public Arbitrary<List<GeneratedEvent>> histories(Mode mode) {
        Arbitrary<int[]> numbers = Arbitraries.integers().between(0, 1 << 20).array(int[].class).ofSize(Act.SIZE);
        Arbitrary<ActType> types = Arbitraries.frequency(Tuple.of(s.weights[0], ActType.STOCK),
                Tuple.of(s.weights[1], ActType.ORDER_AND_CANCEL), Tuple.of(s.weights[2], ActType.HOLD),
                Tuple.of(s.weights[3], ActType.REDELIVER), Tuple.of(s.weights[4], ActType.CONFLICT));
        return Combinators.combine(types, numbers).as(Act::new).list().ofMaxSize(s.mostActs)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(acts -> build(mode, acts));
    }

    /** The events sorted by {@code key}; ties keep their order in {@code events}. */
    public static List<GeneratedEvent> inOrder(List<GeneratedEvent> events, ToIntFunction<GeneratedEvent> key) {
        List<GeneratedEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingInt(key)); // stable
        return sorted;
    }

    /** The same event at another event time. */
    public static InventoryEvent at(InventoryEvent e, Instant time) {
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity(), time, e.eventId(),
                e.reservationId(), e.expiresAt());
    }

    // ------------------------------------------------------------------------------------ settings

    /** Chooses the universe and the mix of acts; {@link #build()} freezes them. */
    public static final class Builder {
        private final List<String> products;
        private final List<String> warehouses;
        private final IntFunction<Instant> times;
        private int idPool = 12;
        private int reservationPool = 6;
        private int eventIdPool = 4;
        private int mostActs = 110;
        private int[] weights = {34, 12, 22, 16, 16};
        private HoldExpiry expiries = HoldExpiry.NONE;
        private boolean cutByEventTime;
        private boolean consumingOrdersApart;

        private Builder(List<String> products, List<String> warehouses, IntFunction<Instant> times) {
            if (products.isEmpty() || warehouses.size() < 2) {
                throw new IllegalArgumentException("need a product and two warehouses, got " + products + " and "
                        + warehouses);
            }
            this.products = List.copyOf(products);
            this.warehouses = List.copyOf(warehouses);
            this.times = Objects.requireNonNull(times, "times");
        }

        /** Sizes of the pools of stock event ids (per kind), reservation ids and event_ids (12, 6, 4 unless set). */
        public Builder idPools(int ids, int reservations, int eventIds) {
            this.idPool = positive(ids);
            this.reservationPool = positive(reservations);
            this.eventIdPool = positive(eventIds);
            return this;
        }

        /** At most {@code most} acts, of each kind in proportion to its weight (110; 34, 12, 22, 16, 16 unless set). */
        public Builder acts(int most, int stock, int orderAndCancel, int hold, int redeliver, int conflict) {
            this.mostActs = positive(most);
            this.weights = new int[] {positive(stock), positive(orderAndCancel), positive(hold), positive(redeliver),
                    positive(conflict)};
            return this;
        }

        /** The expiry each LIFECYCLE hold line carries, a function of its identity (none unless set). */
        public Builder holdExpiries(HoldExpiry expiries) {
            this.expiries = Objects.requireNonNull(expiries, "expiries");
            return this;
        }

        /**
         * For histories that are cut at an event time (the replay's --as-of): in ARTICLE mode, a released is never
         * earlier than its held, and a re-timed redelivery never earlier than the original, so that what stands
         * before any cut is still what the article's SQL computes exactly.
         */
        public Builder cutByEventTime() {
            this.cutByEventTime = true;
            return this;
        }

        /**
         * Orders that consume a hold have ids of their own ({@code ORD-R*}, never a plain order's), and a conflict
         * never gives an order a reservation_id nor takes one away: no order is known both with and without one.
         */
        public Builder consumingOrdersApart() {
            this.consumingOrdersApart = true;
            return this;
        }

        public HistoryGenerator build() {
            return new HistoryGenerator(new Settings(products, warehouses, times, idPool, reservationPool,
                    eventIdPool, mostActs, weights.clone(), expiries, cutByEventTime, consumingOrdersApart));
        }

        private static int positive(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("must be > 0 but was " + n);
            }
            return n;
        }
    }

    private record Settings(List<String> products, List<String> warehouses, IntFunction<Instant> times,
                            int idPool, int reservationPool, int eventIdPool, int mostActs, int[] weights,
                            HoldExpiry expiries, boolean cutByEventTime, boolean consumingOrdersApart) {
    }

    // ------------------------------------------------------------------------------------ acts

    private enum ActType { STOCK, ORDER_AND_CANCEL, HOLD, REDELIVER, CONFLICT }

    /** One generated act: raw numbers, read modulo their ranges when the history is built (0 is simplest). */
    private record Act(ActType type, int[] n) {
        /** Events one act adds at most (a held, two releases and two consuming orders). */
        static final int MAX_EVENTS = 5;
        /** Where each event's numbers start: first keys, second keys, variants, one per event. */
        static final int KEYS = 16;
        static final int SIZE = KEYS + 3 * MAX_EVENTS;

        @Override
        public String toString() {
            return type + Arrays.toString(n);
        }
    }

    /** The built events, in build order, each with its numbers. */
    private static final class Sink {
        final List<GeneratedEvent> built = new ArrayList<>();
        final List<InventoryEvent> events = new ArrayList<>();
        private int[] n;
        private int slot;

        void startAct(int[] numbers) {
            n = numbers;
            slot = 0;
        }

        void add(InventoryEvent e) {
            built.add(new GeneratedEvent(e, n[Act.KEYS + slot], n[Act.KEYS + Act.MAX_EVENTS + slot],
                    n[Act.KEYS + 2 * Act.MAX_EVENTS + slot]));
            events.add(e);
            slot++;
        }
    }

    private List<GeneratedEvent> build(Mode mode, List<Act> acts) {
        Sink sink = new Sink();
        for (int i = 0; i < acts.size(); i++) {
            int[] n = acts.get(i).n();
            sink.startAct(n);
            switch (acts.get(i).type()) {
                case STOCK -> {
                    EventKind kind = STOCK_KINDS[n[0] % STOCK_KINDS.length];
                    String eventId = n[6] % 10 == 9 ? "EVT-" + n[7] % s.eventIdPool : null;
                    sink.add(new InventoryEvent(kind, idOf(kind, n[1] % s.idPool), product(n[2]), warehouse(n[3]),
                            quantity(n[4]), time(n[5]), eventId, null, null));
                }
                case ORDER_AND_CANCEL -> {
                    String orderId = idOf(EventKind.ORDER_PLACED, n[1] % s.idPool);
                    long q = quantity(n[4]);
                    sink.add(InventoryEvent.orderPlaced(orderId, product(n[2]), warehouse(n[3]), q, time(n[5])));
                    sink.add(InventoryEvent.orderCancelled(orderId, product(n[2]), warehouse(n[3]), 1 + n[6] % q,
                            time(n[7])));
                }
                case HOLD -> {
                    if (mode == Mode.ARTICLE) {
                        articleHold(sink, i, n);
                    } else {
                        lifecycleHold(sink, n);
                    }
                }
                case REDELIVER -> {
                    if (!sink.events.isEmpty()) {
                        InventoryEvent e = sink.events.get(n[0] % sink.events.size());
                        Instant other = mode == Mode.ARTICLE && s.cutByEventTime
                                ? e.eventTime().plusMillis(1 + n[2] % 5000) : time(n[2]);
                        sink.add(n[1] % 3 == 2 ? at(e, other) : e);
                    }
                }
                case CONFLICT -> {
                    List<InventoryEvent> targets = mode == Mode.ARTICLE
                            ? sink.events.stream().filter(e -> !e.kind().isReservation()).collect(Collectors.toList())
                            : sink.events;
                    if (!targets.isEmpty()) {
                        sink.add(conflicting(mode, targets.get(n[0] % targets.size()), n));
                    }
                }
                default -> throw new AssertionError(acts.get(i));
            }
        }
        return sink.built;
    }

    private void articleHold(Sink sink, int act, int[] n) {
        String p = product(n[2]), w = warehouse(n[3]);
        long q = quantity(n[4]);
        String reservationId = "RES-A" + act;
        sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5])));
        if (n[6] % 3 == 0) {
            return;
        }
        Instant released = s.cutByEventTime ? time(n[5]).plusMillis(n[7] % 5000) : time(n[7]);
        long part = 1 + n[9] % q; // never more than held: the article's sum is then exact
        switch (n[8] % 3) {
            case 0 -> sink.add(InventoryEvent.reservationReleased(reservationId, p, w, q, released));
            case 1 -> sink.add(InventoryEvent.reservationReleased(reservationId, p, w, part, released));
            default -> {
                sink.add(InventoryEvent.reservationReleased(reservationId, p, w, part, released)
                        .withEventId("REL-A" + act + "-1"));
                if (part < q) {
                    Instant later = s.cutByEventTime ? time(n[5]).plusMillis(n[10] % 5000) : time(n[10]);
                    sink.add(InventoryEvent.reservationReleased(reservationId, p, w, 1 + n[11] % (q - part), later)
                            .withEventId("REL-A" + act + "-2"));
                }
            }
        }
    }

    private void lifecycleHold(Sink sink, int[] n) {
        String p = product(n[2]), w = warehouse(n[3]);
        long q = quantity(n[4]);
        int reservation = n[1] % s.reservationPool;
        String reservationId = "RES-" + reservation;
        if (n[8] % 5 != 4) {
            Instant expiresAt = s.expiries.of(reservation, n[2] % s.products.size(), n[3] % s.warehouses.size());
            sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5])).withExpiresAt(expiresAt));
        }
        if (n[6] % 3 == 2) {
            sink.add(InventoryEvent.reservationReleased(reservationId, p, w, n[9] % 2 == 0 ? q : quantity(n[9]),
                    time(n[7])));
            if (n[9] / 2 % 4 == 3) { // a later release of the same line, with an identity of its own
                sink.add(InventoryEvent.reservationReleased(reservationId, p, w, quantity(n[9] / 8), time(n[7] / 2))
                        .withEventId("REL-" + reservation + "-" + n[9] / 64 % s.eventIdPool));
            }
        }
        int consumers = n[10] % 3;
        for (int k = 0; k < consumers; k++) {
            String orderWarehouse = n[11] % 4 == 3 ? warehouse(n[11] / 4 + k) : w;
            long orderQuantity = n[12] % 2 == 0 ? q : quantity(n[12] + k);
            String orderId = (s.consumingOrdersApart ? "ORD-R" : "ORD-") + (n[13] + k) % s.idPool;
            InventoryEvent order = InventoryEvent.orderPlaced(orderId, p, orderWarehouse, orderQuantity,
                    time(n[14] + k)).withReservationId(reservationId);
            sink.add(n[15] % 8 == 7 ? order.withEventId("EVT-" + (n[15] / 8 + k) % s.eventIdPool) : order);
        }
    }

    /** Same identity, another payload. */
    private InventoryEvent conflicting(Mode mode, InventoryEvent e, int[] n) {
        Instant t = n[3] % 2 == 0 ? e.eventTime() : time(n[3]);
        int how = n[1] % 3;
        boolean gainsOrLoses = mode == Mode.LIFECYCLE && !s.consumingOrdersApart;
        if (how == 1 && e.kind() == EventKind.ORDER_PLACED && (e.reservationId() != null || gainsOrLoses)) {
            String reservationId = e.reservationId() == null ? "RES-" + n[2] % s.reservationPool
                    : n[2] % 2 == 0 && gainsOrLoses ? null : e.reservationId() + "-other";
            return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity(), t,
                    e.eventId(), reservationId, null);
        }
        if (how == 2 && e.eventId() != null) {
            int here = s.warehouses.indexOf(e.warehouseId());
            String otherWarehouse = warehouse(here + 1 + n[2] % (s.warehouses.size() - 1));
            return new InventoryEvent(e.kind(), e.id(), e.productId(), otherWarehouse, e.quantity(), t,
                    e.eventId(), e.reservationId(), e.expiresAt());
        }
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity() + 1 + n[2] % 5, t,
                e.eventId(), e.reservationId(), e.expiresAt());
    }

    // ------------------------------------------------------------------------------------ the universe

    private static String idOf(EventKind kind, int n) {
        return switch (kind) {
            case ORDER_PLACED, ORDER_CANCELLED -> "ORD-" + n;
            case RETURN_RECEIVED -> "RET-" + n;
            case STOCK_RECEIVED -> "RCPT-" + n;
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    private String product(int n) {
        return s.products.get(n % s.products.size());
    }

    private String warehouse(int n) {
        return s.warehouses.get(n % s.warehouses.size());
    }

    private static long quantity(int n) {
        return 1 + n % 20;
    }

    private Instant time(int n) {
        return s.times.apply(n);
    }
}
