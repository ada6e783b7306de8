package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.inventoryledger.core.InventoryEvent.orderPlaced;
import static dev.inventoryledger.core.InventoryEvent.reservationHeld;
import static dev.inventoryledger.core.InventoryEvent.reservationReleased;
import static dev.inventoryledger.core.InventoryEvent.returnReceived;
import static dev.inventoryledger.core.InventoryEvent.stockReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link LocalEventListener}: the events the ledger's own operations stand for, as the README's guarantees
 * (what the ledger does in process registers the identities of the events it stands for, so that an instance
 * reading back what it published counts the echo as a duplicate) and "Holds" (a hold ends exactly once, and
 * holds arriving from Kafka follow the same lifecycle) require of an instance that publishes what it did and
 * of the other instances that apply it.
 *
 * <ol>
 *   <li>{@link WhatEachOperationTells}: exactly which events each operation tells, and when nothing is told.</li>
 *   <li>{@link EchoesAndPeers}: randomized histories on ledger A; every told event read back into A is a
 *       duplicate that changes nothing, and a peer B fed the same events has A's positions after every step
 *       (and, fed them in another order, A's available).</li>
 *   <li>{@link ExtensionReachesPeers}: {@code extend} travels as a {@code held} with a later expiry.</li>
 *   <li>{@link PartialConfirm}: after a partial confirm, while the rest is held, and after the rest ends, A and B
 *       agree (a partial confirm tells a plain order and the released of its units, so the peer keeps the rest
 *       held).</li>
 *   <li>{@link EchoesAndPeersAtTheEdges}: found while writing the above; these fail on 97a079f.</li>
 * </ol>
 */
class LocalEventsTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(15);

    private final ManualClock clock = new ManualClock(T);
    private final Heard heard = new Heard();
    private final InventoryLedger ledger = InventoryLedger.builder().clock(clock).localEventListener(heard).build();
    /** A second instance on the same clock, for the tests that feed it what {@link #ledger} told. */
    private final InventoryLedger peer = InventoryLedger.builder().clock(clock).build();

    /** What a listener was told: one list per call, i.e. per operation. */
    private static final class Heard implements LocalEventListener {
        final List<List<InventoryEvent>> calls = new ArrayList<>();

        @Override
        public void onLocalEvents(List<InventoryEvent> events) {
            calls.add(events);
        }

        /** Every event told since the last drain, in order; forgets them. */
        List<InventoryEvent> drain() {
            List<InventoryEvent> all = new ArrayList<>();
            calls.forEach(all::addAll);
            calls.clear();
            return all;
        }
    }

    private void stock(InventoryLedger l, String product, String warehouse, long units) {
        l.apply(stockReceived("RCPT-" + product + "-" + warehouse + "-" + units, product, warehouse, units, T));
    }

    private static InventoryEvent held(String reservation, String product, String warehouse, long q, Instant time,
                                       Instant expiresAt) {
        return reservationHeld(reservation, product, warehouse, q, time).withExpiresAt(expiresAt);
    }

    /** The order a late confirm tells: naming its reservation (the lapse's released ended the hold). */
    private static InventoryEvent order(String orderId, String reservation, String product, String warehouse, long q,
                                        Instant time) {
        return orderPlaced(orderId, product, warehouse, q, time).withReservationId(reservation);
    }

    /**
     * What a confirm of q units of an active line tells: the order (naming the reservation when it takes all the
     * line holds, plain when part) and the released of those units (with the plain identity, the line's first
     * release; {@code releaseEventId} otherwise).
     */
    private static List<InventoryEvent> sold(String orderId, String reservation, String product, String warehouse,
                                             long q, Instant time, boolean all, String releaseEventId) {
        InventoryEvent released = reservationReleased(reservation, product, warehouse, q, time);
        return List.of(orderPlaced(orderId, product, warehouse, q, time).withReservationId(all ? reservation : null),
                releaseEventId == null ? released : released.withEventId(releaseEventId));
    }

    /** A confirm of all the line holds, its first release. */
    private static List<InventoryEvent> sold(String orderId, String reservation, String product, String warehouse,
                                             long q, Instant time) {
        return sold(orderId, reservation, product, warehouse, q, time, true, null);
    }

    @SafeVarargs
    private static List<InventoryEvent> all(List<InventoryEvent>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }

    /** Five of SKU-1 and of SKU-2 at WH-1; cart-1 holds {@code lines} for {@link #TTL}; what that told is forgotten. */
    private void cartOneHolds(ReservationLine... lines) {
        stock(ledger, "SKU-1", "WH-1", 5);
        stock(ledger, "SKU-2", "WH-1", 5);
        ledger.tryReserve("cart-1", List.of(lines), TTL);
        heard.drain();
    }

    /** {@code units} of SKU-1 at WH-1; cart-1 holds {@code first} of them and cart-2 {@code second}, for TTL. */
    private void twoCartsHold(long units, long first, long second) {
        stock(ledger, "SKU-1", "WH-1", units);
        ledger.tryReserve("SKU-1", "WH-1", first, "cart-1", TTL);
        ledger.tryReserve("SKU-1", "WH-1", second, "cart-2", TTL);
    }

    /** Ten of SKU-1 at WH-1 on the ledger and on the peer; on the ledger cart-1 holds four of them for {@code ttl}. */
    private void tenOnBothAndCartOneHoldsFour(Duration ttl) {
        stock(ledger, "SKU-1", "WH-1", 10);
        stock(peer, "SKU-1", "WH-1", 10);
        ledger.tryReserve("SKU-1", "WH-1", 4, "cart-1", ttl);
    }

    /** Available, held and sellable; zeros for a position a ledger does not have. */
    private static List<Long> counts(Position p) {
        return p == null ? List.of(0L, 0L, 0L) : List.of(p.available(), p.held(), p.sellable());
    }

    /** Every position of a ledger by "product@warehouse", read now (due holds lapsed). */
    private static Map<String, Position> positions(InventoryLedger l) {
        Map<String, Position> m = new TreeMap<>();
        for (Position p : l.positions()) {
            m.put(p.productId() + "@" + p.warehouseId(), p);
        }
        return m;
    }

    // ================================================================================================ 1

    @Nested
    class WhatEachOperationTells {
        @Test
        void acceptedReserveTellsOneHeldWithItsExpiry() {
            stock(ledger, "SKU-1", "WH-1", 10);
            clock.advance(Duration.ofSeconds(90));
            Instant now = clock.instant();
            ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 3, "cart-1", TTL);

            assertThat(r.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            assertThat(r.expiresAt()).isEqualTo(now.plus(TTL));
            assertThat(heard.calls).containsExactly(List.of(held("cart-1", "SKU-1", "WH-1", 3, now, r.expiresAt())));
            InventoryEvent e = heard.calls.get(0).get(0);
            assertThat(e.reservationId()).isEqualTo("cart-1");
            assertThat(e.eventTime()).isEqualTo(now);
            assertThat(e.eventId()).isNull();
        }

        @Test
        void acceptedBasketTellsOneHeldPerPositionInLineOrderInOneCall() {
            stock(ledger, "SKU-1", "WH-1", 5);
            stock(ledger, "SKU-1", "WH-2", 9);
            stock(ledger, "SKU-2", "WH-1", 5);
            clock.advance(Duration.ofMinutes(1));
            Instant now = clock.instant();
            // SKU-2 first although it sorts after SKU-1; two lines of one position are summed; "any" picks WH-2
            ReservationResult r = ledger.tryReserve("cart-1", List.of(
                    ReservationLine.of("SKU-2", "WH-1", 1),
                    ReservationLine.of("SKU-1", "WH-1", 2),
                    ReservationLine.of("SKU-2", "WH-1", 2),
                    ReservationLine.anyWarehouse("SKU-1", 4)), TTL);

            assertThat(r.status()).isEqualTo(ReservationResult.Status.ACCEPTED);
            Instant exp = now.plus(TTL);
            assertThat(heard.calls).containsExactly(List.of(
                    held("cart-1", "SKU-2", "WH-1", 3, now, exp),
                    held("cart-1", "SKU-1", "WH-1", 2, now, exp),
                    held("cart-1", "SKU-1", "WH-2", 4, now, exp)));
            assertThat(heard.calls.get(0)).extracting(InventoryEvent::expiresAt).containsOnly(r.expiresAt());
            assertThat(r.allocations()).extracting(ReservationResult.Allocation::warehouseId)
                    .containsExactly("WH-1", "WH-1", "WH-2");
        }

        @Test
        void refusedAndRepeatedReservesTellNothing() {
            stock(ledger, "SKU-1", "WH-1", 5);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 6, "cart-0", TTL).status())
                    .isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(ledger.tryReserve("cart-0", List.of(ReservationLine.of("SKU-1", "WH-1", 1),
                    ReservationLine.of("SKU-9", "WH-1", 1)), TTL).status())
                    .isEqualTo(ReservationResult.Status.INSUFFICIENT_STOCK);
            assertThat(heard.calls).isEmpty();

            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            heard.drain();
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ALREADY_HELD);
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 1, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE);
            assertThat(heard.calls).isEmpty();
            ledger.release("cart-1");
            heard.drain();
            assertThat(ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ID_IN_USE); // single-use, even after it ended
            assertThat(heard.calls).isEmpty();
        }

        @Test
        void confirmTellsAPlainOrderAndTheReleasedOfItsUnitsPerLine() {
            cartOneHolds(ReservationLine.of("SKU-2", "WH-1", 2), ReservationLine.of("SKU-1", "WH-1", 3));
            clock.advance(Duration.ofMinutes(3));
            Instant now = clock.instant();

            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(heard.calls).containsExactly(all(
                    sold("ORD-1", "cart-1", "SKU-2", "WH-1", 2, now),
                    sold("ORD-1", "cart-1", "SKU-1", "WH-1", 3, now)));
        }

        @Test
        void partialConfirmTellsOrdersAndReleasesForThePartOnly() {
            cartOneHolds(ReservationLine.of("SKU-1", "WH-1", 3), ReservationLine.of("SKU-2", "WH-1", 2));
            Instant now = clock.instant();

            assertThat(ledger.confirm("cart-1", "ORD-1", List.of(ReservationLine.of("SKU-1", "WH-1", 1))))
                    .isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(heard.drain()).containsExactlyElementsOf(sold("ORD-1", "cart-1", "SKU-1", "WH-1", 1, now,
                    false, null));

            assertThat(ledger.confirm("cart-1", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(heard.drain()).containsExactlyElementsOf(all(
                    sold("ORD-2", "cart-1", "SKU-1", "WH-1", 2, now, true, "cart-1@WH-1#released-for-ORD-2"),
                    sold("ORD-2", "cart-1", "SKU-2", "WH-1", 2, now)));
        }

        @Test
        void releaseTellsOneReleasedPerLineStillHeld() {
            cartOneHolds(ReservationLine.of("SKU-1", "WH-1", 3), ReservationLine.of("SKU-2", "WH-1", 2));
            ledger.confirm("cart-1", "ORD-1", List.of(ReservationLine.of("SKU-2", "WH-1", 2))); // SKU-2 line ends
            heard.drain();
            clock.advance(Duration.ofMinutes(1));
            Instant now = clock.instant();

            assertThat(ledger.release("cart-1")).isEqualTo(HoldOutcome.RELEASED);
            assertThat(heard.calls).containsExactly(List.of(reservationReleased("cart-1", "SKU-1", "WH-1", 3, now)));
        }

        @Test
        void extendTellsTheHeldEventsAgainWithTheNewExpiry() {
            cartOneHolds(ReservationLine.of("SKU-1", "WH-1", 3), ReservationLine.of("SKU-2", "WH-1", 2));
            clock.advance(Duration.ofMinutes(10));
            Instant now = clock.instant();

            assertThat(ledger.extend("cart-1", Duration.ofMinutes(20))).isEqualTo(HoldOutcome.EXTENDED);
            Instant exp = now.plus(Duration.ofMinutes(20));
            assertThat(heard.calls).containsExactly(List.of(
                    held("cart-1", "SKU-1", "WH-1", 3, now, exp),
                    held("cart-1", "SKU-2", "WH-1", 2, now, exp)));
        }

        @Test
        void confirmAfterExpiryTellsTheOrders() {
            stock(ledger, "SKU-1", "WH-1", 5);
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            heard.drain();
            clock.advance(TTL.plusMinutes(1));
            assertThat(ledger.expireHolds()).isEqualTo(1);
            Instant now = clock.instant();

            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED_AFTER_EXPIRY);
            assertThat(heard.calls).containsExactly(List.of(order("ORD-1", "cart-1", "SKU-1", "WH-1", 2, now)));
            assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(3);
        }

        @Test
        void repeatedOrLateCallsOnAnEndedHoldTellNothing() {
            stock(ledger, "SKU-1", "WH-1", 5);
            ledger.tryReserve("SKU-1", "WH-1", 2, "sold", TTL);
            ledger.confirm("sold", "ORD-1");
            ledger.tryReserve("SKU-1", "WH-1", 1, "given-back", TTL);
            ledger.release("given-back");
            ledger.tryReserve("SKU-1", "WH-1", 2, "late", TTL);
            ledger.apply(orderPlaced("WEB-1", "SKU-1", "WH-1", 2, T)); // so that "late" cannot be re-taken
            heard.drain();
            clock.advance(TTL);

            assertThat(ledger.confirm("sold", "ORD-1")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.confirm("sold", "ORD-2")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.release("sold")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.extend("sold", TTL)).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.release("given-back")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            assertThat(ledger.confirm("given-back", "ORD-3")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
            assertThat(ledger.extend("late", TTL)).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.release("late")).isEqualTo(HoldOutcome.EXPIRED);
            assertThat(ledger.confirm("late", "ORD-4")).isEqualTo(HoldOutcome.EXPIRED); // not sellable any more
            assertThat(ledger.confirm("nobody", "ORD-5")).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(ledger.release("nobody")).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(ledger.extend("nobody", TTL)).isEqualTo(HoldOutcome.UNKNOWN);
            assertThat(heard.calls).isEmpty();
        }

        @Test
        void confirmRefusedForAnOrderConflictTellsNothing() {
            twoCartsHold(10, 2, 3);
            ledger.confirm("cart-1", "ORD-1");
            heard.drain();

            assertThat(ledger.confirm("cart-2", "ORD-1")).isEqualTo(HoldOutcome.ORDER_CONFLICT);
            assertThat(heard.calls).isEmpty();
        }

        @Test
        void holdLapsingByItselfTellsNothing() {
            twoCartsHold(5, 2, 1);
            heard.drain();
            clock.advance(TTL);

            assertThat(ledger.held("SKU-1", "WH-1")).isZero(); // a read lapses cart-1
            assertThat(ledger.expireHolds() + ledger.audit().activeHolds()).isZero();
            assertThat(heard.calls).isEmpty();
        }

        @Test
        void eventsAppliedFromOutsideAreNotTold() {
            ledger.apply(stockReceived("RCPT-1", "SKU-1", "WH-1", 5, T));
            ledger.apply(held("ext-1", "SKU-1", "WH-1", 2, T, T.plus(TTL)));
            ledger.apply(held("ext-1", "SKU-1", "WH-1", 2, T, T.plus(TTL).plus(TTL))); // a later expiry: extends
            ledger.apply(order("ORD-1", "ext-1", "SKU-1", "WH-1", 2, T));
            ledger.apply(reservationReleased("ext-2", "SKU-1", "WH-1", 1, T));
            ledger.apply(returnReceived("RET-1", "SKU-1", "WH-1", 1, T));
            assertThat(heard.calls).isEmpty();

            ledger.apply(held("ext-3", "SKU-1", "WH-1", 1, T, T.plus(TTL)));
            assertThat(ledger.confirm("ext-3", "ORD-3")).isEqualTo(HoldOutcome.CONFIRMED); // in process: told
            assertThat(heard.drain()).containsExactlyElementsOf(sold("ORD-3", "ext-3", "SKU-1", "WH-1", 1, T));
        }

        @Test
        void throwingListenerUndoesNothingAndTheNextListenerIsStillTold() {
            List<InventoryEvent> second = new ArrayList<>();
            SimpleMeterRegistry own = new SimpleMeterRegistry();
            InventoryLedger l = InventoryLedger.builder().clock(clock).meterRegistry(own)
                    .localEventListener(events -> {
                        throw new IllegalStateException("publisher down");
                    })
                    .localEventListener(second::addAll).build();
            stock(l, "SKU-1", "WH-1", 5);

            assertThat(l.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL).status())
                    .isEqualTo(ReservationResult.Status.ACCEPTED);
            assertThat(l.held("SKU-1", "WH-1")).isEqualTo(2);
            assertThat(l.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            assertThat(l.position("SKU-1", "WH-1")).returns(3L, Position::available).returns(0L, Position::held);
            assertThat(second).containsExactlyElementsOf(all(List.of(held("cart-1", "SKU-1", "WH-1", 2, T,
                    T.plus(TTL))), sold("ORD-1", "cart-1", "SKU-1", "WH-1", 2, T)));
            assertThat(own.get("inventory.alert.listener.failures").counter().count()).isEqualTo(2);
            // the identities were registered all the same
            assertThat(l.apply(second.get(0))).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(l.apply(second.get(1))).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(l.apply(second.get(2))).isEqualTo(ApplyOutcome.DUPLICATE);
        }

        @Test
        void listenersOfTheBuilderAndAddedLaterAreToldInRegistrationOrder() {
            List<String> order = new ArrayList<>();
            InventoryLedger l = InventoryLedger.builder().clock(clock)
                    .localEventListener(events -> order.add("built:" + events.get(0).kind())).build();
            stock(l, "SKU-1", "WH-1", 5);
            l.tryReserve("SKU-1", "WH-1", 1, "cart-1", TTL);
            l.addLocalEventListener(events -> order.add("added:" + events.get(0).kind()));
            l.release("cart-1");

            assertThat(order).containsExactly("built:RESERVATION_HELD", "built:RESERVATION_RELEASED",
                    "added:RESERVATION_RELEASED");
        }

        @Test
        void listenerIsToldAfterTheLocksAreReleasedAndMayReadAndApplyAtOnce() {
            List<ApplyOutcome> echoes = new ArrayList<>();
            List<Long> sellableSeen = new ArrayList<>();
            InventoryLedger[] self = new InventoryLedger[1];
            self[0] = InventoryLedger.builder().clock(clock).localEventListener(events -> {
                sellableSeen.add(self[0].sellable("SKU-1", "WH-1"));
                events.forEach(e -> echoes.add(self[0].apply(e))); // a synchronous echo: needs the write lock
            }).build();
            stock(self[0], "SKU-1", "WH-1", 5);

            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                self[0].tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
                self[0].extend("cart-1", TTL.plus(TTL));
                self[0].confirm("cart-1", "ORD-1");
            });
            assertThat(sellableSeen).containsExactly(3L, 3L, 3L); // the change is visible when told
            assertThat(echoes).containsOnly(ApplyOutcome.DUPLICATE).hasSize(4); // held, extension, order, released
        }
    }

    // ================================================================================================ 2

    @Nested
    class EchoesAndPeers {
        private static final int SEEDS = 100;
        private static final int STEPS = 250;
        private static final String[] PRODUCTS = {"SKU-1", "SKU-2", "SKU-3"};
        private static final String[] WAREHOUSES = {"WH-1", "WH-2"};

        /** What one history did, across seeds: so that the test proves it reached every path it means to. */
        private final Map<HoldOutcome, Integer> holdOutcomes = new EnumMap<>(HoldOutcome.class);
        private final Map<ReservationResult.Status, Integer> reserveOutcomes =
                new EnumMap<>(ReservationResult.Status.class);
        private long stepsWithHoldsOnThePeer;

        @Test
        void everyToldEventEchoesAsADuplicateAndAPeerFedTheSameEventsAgreesAfterEveryStep() {
            for (long seed = 1; seed <= SEEDS; seed++) {
                new History(seed).run();
            }
            assertThat(reserveOutcomes.keySet()).as("reservation outcomes reached")
                    .containsExactlyInAnyOrderElementsOf(java.util.EnumSet.complementOf(java.util.EnumSet.of(
                            ReservationResult.Status.OUTCOME_UNKNOWN))); // a cluster's, never a ledger's
            assertThat(holdOutcomes.keySet()).as("hold outcomes reached").contains(HoldOutcome.CONFIRMED,
                    HoldOutcome.CONFIRMED_AFTER_EXPIRY, HoldOutcome.RELEASED, HoldOutcome.EXTENDED,
                    HoldOutcome.ALREADY_CONFIRMED, HoldOutcome.ALREADY_RELEASED, HoldOutcome.EXPIRED,
                    HoldOutcome.ORDER_CONFLICT);
            assertThat(holdOutcomes.get(HoldOutcome.CONFIRMED_AFTER_EXPIRY)).isGreaterThan(10);
            assertThat(stepsWithHoldsOnThePeer).as("steps with holds active on the peer").isGreaterThan(1000);
        }

        /** One random history on A, with B and the echo queue following it. */
        private final class History {
            final long seed;
            final Random rnd;
            final ManualClock time = new ManualClock(T);
            final Heard told = new Heard();
            final InventoryLedger a = InventoryLedger.builder().clock(time).localEventListener(told).build();
            final InventoryLedger b = InventoryLedger.builder().clock(time).build();
            /** Everything B was given: A's told events and the events applied to A directly, in order. */
            final List<InventoryEvent> stream = new ArrayList<>();
            /** Told events not yet read back into A (the lag of A's own consumer). */
            final List<InventoryEvent> echoes = new ArrayList<>();
            final List<String> reservationIds = new ArrayList<>();
            final Map<String, ReservationLine> singleLineRequests = new LinkedHashMap<>();
            final Map<String, List<ReservationResult.Allocation>> allocations = new HashMap<>();
            final Map<String, Instant> expiries = new HashMap<>();
            final List<String> orderIds = new ArrayList<>();
            Instant latestExpiry = T;
            int step;

            History(long seed) {
                this.seed = seed;
                this.rnd = new Random(seed);
            }

            String where() {
                return "seed " + seed + ", step " + step;
            }

            void run() {
                for (step = 0; step < STEPS; step++) {
                    Instant now = time.instant();
                    List<InventoryEvent> expected = oneOperation(now);
                    List<InventoryEvent> fresh = told.drain();
                    assertThat(fresh).as("told, " + where()).containsExactlyElementsOf(expected);
                    for (InventoryEvent e : fresh) {
                        assertThat(b.apply(e)).as("B applies %s, %s", e, where()).isEqualTo(ApplyOutcome.APPLIED);
                    }
                    stream.addAll(fresh);
                    echoes.addAll(fresh);
                    readBackSomeEchoes(rnd.nextInt(4) == 0 ? echoes.size() : rnd.nextInt(3));
                    assertThat(positions(b)).as("B against A, " + where()).isEqualTo(positions(a));
                    if (positions(b).values().stream().anyMatch(p -> p.held() > 0)) {
                        stepsWithHoldsOnThePeer++;
                    }
                    if (step % 50 == 0) {
                        assertThat(a.audit().isClean()).as("A audit, " + where()).isTrue();
                        assertThat(b.audit().isClean()).as("B audit, " + where()).isTrue();
                    }
                }
                readBackSomeEchoes(echoes.size());
                assertThat(positions(b)).as("B against A at the end, seed " + seed).isEqualTo(positions(a));
                assertThat(a.audit().isClean()).isTrue();
                assertThat(b.audit().isClean()).isTrue();

                // (a) a second, whole re-read of everything A told or was given changes nothing
                Map<String, Position> before = positions(a);
                for (InventoryEvent e : stream) {
                    assertThat(a.apply(e)).as("re-read %s, seed %d", e, seed).isEqualTo(ApplyOutcome.DUPLICATE);
                }
                assertThat(positions(a)).isEqualTo(before);

                aPeerFedTheEventsShuffledAgreesOnAvailable();
            }

            /** A's consumer reads back the oldest {@code n} told events: each a duplicate that changes nothing. */
            void readBackSomeEchoes(int n) {
                for (int i = 0; i < n && !echoes.isEmpty(); i++) {
                    InventoryEvent e = echoes.remove(0);
                    Map<String, Position> before = positions(a);
                    assertThat(a.apply(e)).as("echo of %s, %s", e, where()).isEqualTo(ApplyOutcome.DUPLICATE);
                    assertThat(positions(a)).as("A after the echo of %s, %s", e, where()).isEqualTo(before);
                }
            }

            /**
             * B' gets the same events shuffled, all at the end. Available is order-independent (the README's guarantees),
             * so it must equal A's. Held may not: a hold whose {@code held} arrives after it would have lapsed is
             * not revived by its extension arriving later still, so B' never holds more than A, and once the clock
             * passes every expiry both hold nothing and every position agrees.
             */
            void aPeerFedTheEventsShuffledAgreesOnAvailable() {
                InventoryLedger shuffled = InventoryLedger.builder().clock(time).build();
                List<InventoryEvent> events = new ArrayList<>(stream);
                Collections.shuffle(events, rnd);
                for (InventoryEvent e : events) {
                    assertThat(shuffled.apply(e)).as("shuffled %s, seed %d", e, seed)
                            .isNotEqualTo(ApplyOutcome.CONFLICT);
                }
                Map<String, Position> pa = positions(a), ps = positions(shuffled);
                TreeSet<String> keys = new TreeSet<>(pa.keySet());
                keys.addAll(ps.keySet());
                for (String k : keys) {
                    Position x = pa.get(k), y = ps.get(k);
                    long availableA = x == null ? 0 : x.available(), heldA = x == null ? 0 : x.held();
                    assertThat(y == null ? 0 : y.available()).as("available at %s, seed %d", k, seed)
                            .isEqualTo(availableA);
                    assertThat(y == null ? 0 : y.held()).as("held at %s, seed %d", k, seed)
                            .isLessThanOrEqualTo(heldA);
                }
                if (latestExpiry.isAfter(time.instant())) {
                    time.set(latestExpiry);
                }
                Map<String, Position> lapsedA = positions(a);
                Map<String, Position> lapsedShuffled = positions(shuffled);
                keys.addAll(lapsedShuffled.keySet());
                for (String k : keys) {
                    assertThat(counts(lapsedShuffled.get(k))).as("after every expiry, at %s, seed %d", k, seed)
                            .isEqualTo(counts(lapsedA.get(k)));
                }
                assertThat(shuffled.audit().isClean()).isTrue();
            }

            /** Does one random thing to A; returns the events A must tell for it. */
            List<InventoryEvent> oneOperation(Instant now) {
                int dice = rnd.nextInt(20);
                if (dice < 3) {
                    apply(stockReceived("RCPT-" + step, product(), warehouse(), 1 + rnd.nextInt(12), now));
                    return List.of();
                } else if (dice < 4) {
                    long q = 1 + rnd.nextInt(3);
                    apply(rnd.nextBoolean() ? orderPlaced("WEB-" + step, product(), warehouse(), q, now)
                            : returnReceived("RET-" + step, product(), warehouse(), q, now));
                    return List.of();
                } else if (dice < 8) {
                    return reserve(now, rnd.nextBoolean());
                } else if (dice < 11) {
                    return confirm(now);
                } else if (dice < 13) {
                    return release(now);
                } else if (dice < 15) {
                    return extend(now);
                } else {
                    time.advance(Duration.ofSeconds(10 + rnd.nextInt(5 * 60)));
                    if (rnd.nextBoolean()) {
                        a.expireHolds();
                    }
                    return List.of();
                }
            }

            void apply(InventoryEvent e) {
                assertThat(a.apply(e)).as("A applies %s, %s", e, where()).isEqualTo(ApplyOutcome.APPLIED);
                stream.add(e);
                assertThat(b.apply(e)).as("B applies %s, %s", e, where()).isEqualTo(ApplyOutcome.APPLIED);
            }

            List<InventoryEvent> reserve(Instant now, boolean basket) {
                Duration ttl = Duration.ofSeconds(60 + rnd.nextInt(20 * 60));
                String id;
                ReservationResult r;
                if (!basket && !singleLineRequests.isEmpty() && rnd.nextInt(6) == 0) { // the same request again
                    id = pick(new ArrayList<>(singleLineRequests.keySet()));
                    ReservationLine line = singleLineRequests.get(id);
                    r = a.tryReserve(line.productId(), line.warehouseId(), line.quantity(), id, ttl);
                } else if (!reservationIds.isEmpty() && rnd.nextInt(12) == 0) { // an id in use, another request
                    id = pick(reservationIds);
                    r = a.tryReserve(product(), warehouse(), 1 + rnd.nextInt(4), id, ttl);
                } else if (!basket) {
                    id = "cart-" + step;
                    ReservationLine line = ReservationLine.of(product(), warehouse(), 1 + rnd.nextInt(4));
                    r = a.tryReserve(line.productId(), line.warehouseId(), line.quantity(), id, ttl);
                    singleLineRequests.put(id, line);
                } else {
                    id = "basket-" + step;
                    List<ReservationLine> lines = new ArrayList<>();
                    for (int i = 0, n = 2 + rnd.nextInt(2); i < n; i++) {
                        lines.add(rnd.nextInt(4) == 0 ? ReservationLine.anyWarehouse(product(), 1 + rnd.nextInt(3))
                                : ReservationLine.of(product(), warehouse(), 1 + rnd.nextInt(3)));
                    }
                    r = a.tryReserve(id, lines, ttl);
                }
                reserveOutcomes.merge(r.status(), 1, Integer::sum);
                if (!reservationIds.contains(id)) {
                    reservationIds.add(id);
                }
                if (r.status() != ReservationResult.Status.ACCEPTED) {
                    return List.of();
                }
                assertThat(r.expiresAt()).isEqualTo(now.plus(ttl));
                allocations.put(id, r.allocations());
                expiresAt(id, r.expiresAt());
                return r.allocations().stream()
                        .map(x -> held(id, x.productId(), x.warehouseId(), x.quantity(), now, r.expiresAt())).toList();
            }

            List<InventoryEvent> confirm(Instant now) {
                if (reservationIds.isEmpty()) {
                    return List.of();
                }
                String id = recentReservation();
                String orderId = !orderIds.isEmpty() && rnd.nextInt(4) == 0 ? pick(orderIds) : "ORD-" + step;
                orderIds.add(orderId);
                HoldOutcome o = a.confirm(id, orderId);
                holdOutcomes.merge(o, 1, Integer::sum);
                if (o == HoldOutcome.CONFIRMED_AFTER_EXPIRY) {
                    return allocations.get(id).stream()
                            .map(x -> order(orderId, id, x.productId(), x.warehouseId(), x.quantity(), now)).toList();
                }
                if (o != HoldOutcome.CONFIRMED) {
                    return List.of();
                }
                return allocations.get(id).stream()
                        .flatMap(x -> sold(orderId, id, x.productId(), x.warehouseId(), x.quantity(), now).stream())
                        .toList();
            }

            List<InventoryEvent> release(Instant now) {
                if (reservationIds.isEmpty()) {
                    return List.of();
                }
                String id = recentReservation();
                HoldOutcome o = a.release(id);
                holdOutcomes.merge(o, 1, Integer::sum);
                if (o != HoldOutcome.RELEASED) {
                    return List.of();
                }
                return allocations.get(id).stream()
                        .map(x -> reservationReleased(id, x.productId(), x.warehouseId(), x.quantity(), now)).toList();
            }

            /**
             * Extends to a later expiry than the hold has: an extension that shortens a hold does not reach peers
             * (see {@link EchoesAndPeersAtTheEdges}).
             */
            List<InventoryEvent> extend(Instant now) {
                if (reservationIds.isEmpty()) {
                    return List.of();
                }
                String id = recentReservation();
                Duration ttl = Duration.ofSeconds(60 + rnd.nextInt(20 * 60));
                Instant current = expiries.get(id);
                if (current != null && !now.plus(ttl).isAfter(current)) {
                    ttl = Duration.between(now, current).plusSeconds(1 + rnd.nextInt(5 * 60));
                }
                HoldOutcome o = a.extend(id, ttl);
                holdOutcomes.merge(o, 1, Integer::sum);
                if (o != HoldOutcome.EXTENDED) {
                    return List.of();
                }
                Instant exp = now.plus(ttl);
                expiresAt(id, exp);
                return allocations.get(id).stream()
                        .map(x -> held(id, x.productId(), x.warehouseId(), x.quantity(), now, exp)).toList();
            }

            void expiresAt(String id, Instant at) {
                expiries.put(id, at);
                if (at.isAfter(latestExpiry)) {
                    latestExpiry = at;
                }
            }

            String product() {
                return PRODUCTS[rnd.nextInt(PRODUCTS.length)];
            }

            String warehouse() {
                return WAREHOUSES[rnd.nextInt(WAREHOUSES.length)];
            }

            /** Mostly one of the last few reservations (likelier to be active), sometimes any. */
            String recentReservation() {
                int n = reservationIds.size();
                return rnd.nextInt(4) == 0 ? pick(reservationIds)
                        : reservationIds.get(n - 1 - rnd.nextInt(Math.min(n, 6)));
            }

            <X> X pick(List<X> from) {
                return from.get(rnd.nextInt(from.size()));
            }
        }
    }

    // ================================================================================================ 3

    @Nested
    class ExtensionReachesPeers {
        @Test
        void extensionEventExtendsThePeersHoldAndAnOlderHeldDoesNotShortenIt() {
            tenOnBothAndCartOneHoldsFour(Duration.ofMinutes(10));
            InventoryEvent first = heard.drain().get(0);
            assertThat(first.expiresAt()).isEqualTo(T.plus(Duration.ofMinutes(10)));
            assertThat(peer.apply(first)).isEqualTo(ApplyOutcome.APPLIED);

            clock.advance(Duration.ofMinutes(5));
            assertThat(ledger.extend("cart-1", Duration.ofMinutes(25))).isEqualTo(HoldOutcome.EXTENDED);
            InventoryEvent extension = heard.drain().get(0);
            assertThat(extension.expiresAt()).isEqualTo(T.plus(Duration.ofMinutes(30)));
            assertThat(peer.apply(extension)).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.apply(extension)).isEqualTo(ApplyOutcome.DUPLICATE); // the echo

            clock.set(T.plus(Duration.ofMinutes(20)));
            assertThat(peer.held("SKU-1", "WH-1")).isEqualTo(4);
            assertThat(peer.position("SKU-1", "WH-1")).isEqualTo(ledger.position("SKU-1", "WH-1"));

            assertThat(peer.apply(first)).isEqualTo(ApplyOutcome.DUPLICATE); // redelivered late: does not shorten
            assertThat(ledger.apply(first)).isEqualTo(ApplyOutcome.DUPLICATE);
            clock.set(T.plus(Duration.ofMinutes(30)).minusNanos(1000));
            assertThat(peer.held("SKU-1", "WH-1")).isEqualTo(4);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(4);
            clock.set(T.plus(Duration.ofMinutes(30)));
            assertThat(peer.held("SKU-1", "WH-1")).isZero();
            assertThat(ledger.held("SKU-1", "WH-1")).isZero();
            assertThat(peer.audit().isClean()).isTrue();
        }

        @Test
        void extensionEventArrivingFirstIsTheHoldAndTheOriginalIsThenADuplicate() {
            stock(ledger, "SKU-1", "WH-1", 10);
            ledger.tryReserve("SKU-1", "WH-1", 4, "cart-1", Duration.ofMinutes(10));
            InventoryEvent first = heard.drain().get(0);
            clock.advance(Duration.ofMinutes(5));
            ledger.extend("cart-1", Duration.ofMinutes(25));
            InventoryEvent extension = heard.drain().get(0);

            assertThat(peer.apply(extension)).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(peer.apply(first)).isEqualTo(ApplyOutcome.DUPLICATE);
            clock.set(T.plus(Duration.ofMinutes(20)));
            assertThat(peer.held("SKU-1", "WH-1")).isEqualTo(4);
        }

        @Test
        void lateExtensionEventDoesNotReviveALapsedHold() {
            tenOnBothAndCartOneHoldsFour(Duration.ofMinutes(10));
            peer.apply(heard.drain().get(0));
            clock.advance(Duration.ofMinutes(5));
            ledger.extend("cart-1", Duration.ofMinutes(25)); // A holds until T+30m
            InventoryEvent extension = heard.drain().get(0);

            clock.set(T.plus(Duration.ofMinutes(10))); // the extension has not reached the peer: its hold lapses
            assertThat(peer.apply(extension)).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(peer.position("SKU-1", "WH-1")).returns(0L, Position::held).returns(10L, Position::sellable);
            clock.set(T.plus(Duration.ofMinutes(12)));
            assertThat(peer.apply(extension)).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(peer.held("SKU-1", "WH-1")).isZero();
            assertThat(peer.audit()).returns(0L, LedgerAudit::activeHolds).returns(true, LedgerAudit::isClean);
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(4); // A still holds: it extended in time
        }

        @Test
        void extensionEventForAHoldThePeerSawEndDoesNothing() {
            tenOnBothAndCartOneHoldsFour(Duration.ofMinutes(10));
            InventoryEvent first = heard.drain().get(0);
            ledger.extend("cart-1", Duration.ofMinutes(30));
            InventoryEvent extension = heard.drain().get(0);
            ledger.release("cart-1");
            InventoryEvent released = heard.drain().get(0);

            peer.apply(first);
            peer.apply(released);
            assertThat(peer.apply(extension)).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(peer.position("SKU-1", "WH-1")).isEqualTo(ledger.position("SKU-1", "WH-1"));
        }
    }

    // ================================================================================================ 4

    @Nested
    class PartialConfirm {
        private final List<String> keys = List.of("SKU-1@WH-1", "SKU-2@WH-1");
        /** Everything the ledger told, in order. */
        private final List<InventoryEvent> told = new ArrayList<>();

        private void basketOnBoth() {
            for (InventoryLedger l : List.of(ledger, peer)) {
                stock(l, "SKU-1", "WH-1", 10);
                stock(l, "SKU-2", "WH-1", 10);
            }
            ledger.tryReserve("cart-1", List.of(ReservationLine.of("SKU-1", "WH-1", 3),
                    ReservationLine.of("SKU-2", "WH-1", 2)), TTL);
            ledger.confirm("cart-1", "ORD-1", List.of(ReservationLine.of("SKU-1", "WH-1", 1)));
            toPeerAndEcho();
            assertThat(positions(peer)).as("while the rest is held").isEqualTo(positions(ledger));
            assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(2);
        }

        private void toPeerAndEcho() {
            for (InventoryEvent e : heard.drain()) {
                told.add(e);
                assertThat(peer.apply(e)).as("peer applies %s", e).isEqualTo(ApplyOutcome.APPLIED);
                Map<String, Position> before = positions(ledger);
                assertThat(ledger.apply(e)).as("echo of %s", e).isEqualTo(ApplyOutcome.DUPLICATE);
                assertThat(positions(ledger)).isEqualTo(before);
            }
        }

        private void bothAgree(long availableSku1, long availableSku2) {
            assertThat(positions(peer)).isEqualTo(positions(ledger));
            assertThat(positions(ledger).keySet()).containsExactlyElementsOf(keys);
            assertThat(positions(ledger).values()).extracting(Position::available, Position::held)
                    .containsExactly(tuple(availableSku1, 0L), tuple(availableSku2, 0L));
            assertThat(ledger.audit().isClean()).isTrue();
            assertThat(peer.audit().isClean()).isTrue();
        }

        @Test
        void confirmOfTheRestBringsThePeerBackInAgreement() {
            basketOnBoth();
            assertThat(ledger.confirm("cart-1", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED);
            toPeerAndEcho();
            bothAgree(7, 8);
        }

        @Test
        void releaseOfTheRestBringsThePeerBackInAgreement() {
            basketOnBoth();
            assertThat(ledger.release("cart-1")).isEqualTo(HoldOutcome.RELEASED);
            toPeerAndEcho();
            bothAgree(9, 10);
        }

        @Test
        void expiryOfTheRestBringsThePeerBackInAgreementAndALateConfirmStillReachesIt() {
            basketOnBoth();
            clock.advance(TTL);
            bothAgree(9, 10);
            assertThat(ledger.confirm("cart-1", "ORD-2")).isEqualTo(HoldOutcome.CONFIRMED_AFTER_EXPIRY);
            toPeerAndEcho();
            bothAgree(7, 8);
        }

        @Test
        void partialConfirmsOfEveryUnitLeaveThePeerAndAPeerFedInReverseInAgreement() {
            basketOnBoth();
            ledger.confirm("cart-1", "ORD-2", List.of(ReservationLine.of("SKU-2", "WH-1", 2)));
            ledger.confirm("cart-1", "ORD-3", List.of(ReservationLine.of("SKU-1", "WH-1", 2)));
            toPeerAndEcho();
            bothAgree(7, 8);

            InventoryLedger reversed = InventoryLedger.builder().clock(clock).build();
            stock(reversed, "SKU-1", "WH-1", 10);
            stock(reversed, "SKU-2", "WH-1", 10);
            List<InventoryEvent> backwards = new ArrayList<>(told);
            Collections.reverse(backwards); // orders first, their holds last
            for (InventoryEvent e : backwards) {
                assertThat(reversed.apply(e)).as("reversed applies %s", e).isEqualTo(ApplyOutcome.APPLIED);
            }
            assertThat(positions(reversed)).isEqualTo(positions(ledger));
            assertThat(reversed.audit()).returns(0L, LedgerAudit::activeHolds).returns(true, LedgerAudit::isClean);
        }
    }

    // ================================================================================================ 5

    /**
     * Echoes that do not come back as duplicates, peers that end up disagreeing with the instance that published,
     * and a hold sold twice. These fail on 97a079f: by the contract ("the echo counts as a duplicate, not a second
     * effect"; "a hold ends exactly once") the ledger is wrong there, not the tests. Left red on purpose.
     */
    @Nested
    class EchoesAndPeersAtTheEdges {
        /**
         * {@code extend} sets the expiry to now + ttl, which may be earlier than the hold had. The told
         * {@code held} then carries an earlier {@code expires_at}: peers ignore it (only a later expiry extends),
         * and the echo of the first {@code held}, read back after the extend, lengthens A's own hold again.
         */
        @Test
        void echoOfTheFirstHeldAfterAnExtendThatShortensTheHoldIsADuplicateAndPeersAgree() {
            tenOnBothAndCartOneHoldsFour(Duration.ofMinutes(30)); // until T+30m
            clock.advance(Duration.ofMinutes(1));
            assertThat(ledger.extend("cart-1", Duration.ofMinutes(5))).isEqualTo(HoldOutcome.EXTENDED); // T+6m
            List<InventoryEvent> told = heard.drain();
            for (InventoryEvent e : told) {
                peer.apply(e);
            }
            for (InventoryEvent e : told) {
                assertThat(ledger.apply(e)).as("echo of %s", e).isEqualTo(ApplyOutcome.DUPLICATE);
            }
            clock.set(T.plus(Duration.ofMinutes(10)));
            assertThat(peer.position("SKU-1", "WH-1")).isEqualTo(ledger.position("SKU-1", "WH-1"));
        }

        /**
         * {@code confirm} into an order id already applied as a plain order event (without reservation_id) only
         * ends the hold. Telling the order with the reservation_id would be a CONFLICT everywhere (its payload
         * differs from the known order, and the first stands), so the ledger tells a {@code released} instead:
         * its echo is a duplicate here and it ends the peer's hold.
         */
        @Test
        void confirmIntoAnOrderKnownWithoutItsReservationEchoesAsADuplicateAndEndsThePeersHold() {
            InventoryEvent plainOrder = orderPlaced("ORD-1", "SKU-1", "WH-1", 2, T);
            for (InventoryLedger l : List.of(ledger, peer)) {
                stock(l, "SKU-1", "WH-1", 10);
            }
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            peer.apply(heard.drain().get(0));
            ledger.apply(plainOrder); // the order service published the order before the storefront confirmed
            peer.apply(plainOrder);
            assertThat(ledger.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED);
            InventoryEvent told = heard.drain().get(0);
            assertThat(told.kind()).isEqualTo(EventKind.RESERVATION_RELEASED);

            assertThat(peer.apply(told)).as("peer applies %s", told).isNotEqualTo(ApplyOutcome.CONFLICT);
            assertThat(ledger.apply(told)).as("echo of %s", told).isEqualTo(ApplyOutcome.DUPLICATE);
            assertThat(peer.position("SKU-1", "WH-1")).isEqualTo(ledger.position("SKU-1", "WH-1"))
                    .returns(8L, Position::available).returns(0L, Position::held);
        }

        /**
         * A hold that lapsed on both instances is confirmed late on the peer (CONFIRMED_AFTER_EXPIRY) and the
         * order, naming the reservation, reaches A. Whether A then knows the hold was sold depends on whether A
         * had swept its lapsed holds before the order arrived: unswept, the order consumes the (due) line and a
         * later confirm is ALREADY_CONFIRMED; swept, the line stays EXPIRED and a second confirm sells the same
         * hold again. Sweeping is documented as keeping metrics current, nothing more.
         */
        @Test
        void anOrderForAHoldThatLapsedEndsItWhetherOrNotTheLedgerSwept() {
            for (InventoryLedger l : List.of(ledger, peer)) {
                stock(l, "SKU-1", "WH-1", 10);
            }
            List<InventoryEvent> fromPeer = new ArrayList<>();
            peer.addLocalEventListener(fromPeer::addAll);
            ledger.tryReserve("SKU-1", "WH-1", 2, "cart-1", TTL);
            peer.apply(heard.drain().get(0));
            clock.advance(TTL);
            ledger.expireHolds(); // a scheduled sweep

            assertThat(peer.confirm("cart-1", "ORD-1")).isEqualTo(HoldOutcome.CONFIRMED_AFTER_EXPIRY);
            assertThat(ledger.apply(fromPeer.get(0))).isEqualTo(ApplyOutcome.APPLIED);
            assertThat(ledger.confirm("cart-1", "ORD-2")).as("the hold was already sold, as ORD-1")
                    .isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(peer.confirm("cart-1", "ORD-2")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
            assertThat(ledger.position("SKU-1", "WH-1")).returns(8L, Position::available)
                    .isEqualTo(peer.position("SKU-1", "WH-1"));
        }
    }
}
