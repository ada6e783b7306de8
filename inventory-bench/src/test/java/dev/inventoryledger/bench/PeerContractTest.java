package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The peers do what the benchmarks say they do: the same small story told to each, so that a ratio in
 * BENCHMARKS.md compares implementations of one thing. The ledger, the bare map and H2 always; PostgreSQL
 * and Redis when -Dbench.postgres and -Dbench.redis name a server (their scripts in this module start one).
 */
class PeerContractTest {

    static List<String> peers() {
        return ServerPeer.configuredPeers();
    }

    /** A store of 20 products × 3 warehouses, loaded into the peer; position (0, 0) cut down to {@code left}. */
    private static Peer loaded(String impl, Store store, long left) throws Exception {
        Peer peer = Peer.named(impl);
        peer.load(store);
        try (Peer.Session s = peer.session()) {
            s.apply(InventoryEvent.orderPlaced("cut-down", store.product(0), store.warehouse(0),
                    Store.STOCK_PER_POSITION - left, Store.OPENING));
        }
        return peer;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void holdsTakeUnitsAndEndOnce(String impl) throws Exception {
        Store store = Store.of(20, 3);
        String p = store.product(0), w = store.warehouse(0);
        try (Peer peer = loaded(impl, store, 5); Peer.Session s = peer.session()) {
            assertThat(s.sellable(p, w)).isEqualTo(5);
            assertThat(s.sellable(store.product(1), w)).isEqualTo(Store.STOCK_PER_POSITION);

            assertThat(s.tryReserve(p, w, 3, "r1")).isTrue();
            assertThat(s.tryReserve(p, w, 3, "r2")).as("only 2 left").isFalse();
            assertThat(s.sellable(p, w)).isEqualTo(2);
            assertThat(s.confirm(p, w, 3, "r1", "o1")).isTrue();
            assertThat(s.sellable(p, w)).as("a confirmed hold stays sold").isEqualTo(2);

            assertThat(s.tryReserve(p, w, 2, "r3")).isTrue();
            assertThat(s.sellable(p, w)).isZero();
            assertThat(s.release(p, w, 2, "r3")).isTrue();
            assertThat(s.sellable(p, w)).as("a released hold is back on sale").isEqualTo(2);

            if (peer.keepsReservations()) {
                assertThat(s.confirm(p, w, 3, "r1", "o1")).as("a hold ends once").isFalse();
                assertThat(s.release(p, w, 3, "r1")).as("a confirmed hold is not released").isFalse();
                assertThat(s.release(p, w, 2, "r3")).as("nor released twice").isFalse();
                assertThat(s.sellable(p, w)).isEqualTo(2);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void eventsChangeSellableByTheirDelta(String impl) throws Exception {
        Store store = Store.of(20, 3);
        String p = store.product(2), w = store.warehouse(1);
        try (Peer peer = Peer.named(impl)) {
            peer.load(store);
            try (Peer.Session s = peer.session()) {
                long before = s.sellable(p, w);
                List<InventoryEvent> events = List.of(
                        InventoryEvent.orderPlaced("o1", p, w, 7, Store.OPENING),
                        InventoryEvent.orderCancelled("o1", p, w, 2, Store.OPENING),
                        InventoryEvent.returnReceived("ret1", p, w, 1, Store.OPENING),
                        InventoryEvent.stockReceived("rc1", p, w, 10, Store.OPENING),
                        InventoryEvent.reservationHeld("h1", p, w, 4, Store.OPENING),
                        InventoryEvent.reservationReleased("h1", p, w, 4, Store.OPENING),
                        InventoryEvent.reservationHeld("h2", p, w, 3, Store.OPENING),
                        InventoryEvent.orderPlaced("o2", p, w, 3, Store.OPENING).withReservationId("h2"));
                for (InventoryEvent e : events) {
                    s.apply(e);
                }
                assertThat(s.sellable(p, w)).isEqualTo(before - 7 + 2 + 1 + 10 - 4 + 4 - 3);
            }
        }
    }

    /** 8 threads each try to hold 1 unit 200 times at a position with 300 units: exactly 300 holds succeed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void racingHoldsNeverShareAUnit(String impl) throws Exception {
        Store store = Store.of(20, 3);
        String p = store.product(0), w = store.warehouse(0);
        int threads = 8, tries = 200;
        try (Peer peer = loaded(impl, store, 300)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> held = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    held.add(pool.submit(() -> {
                        int n = 0;
                        try (Peer.Session s = peer.session()) {
                            for (int i = 0; i < tries; i++) {
                                if (s.tryReserve(p, w, 1, "race-" + thread + "-" + i)) {
                                    n++;
                                }
                            }
                        }
                        return n;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : held) {
                    total += f.get();
                }
                assertThat(total).isEqualTo(300);
                try (Peer.Session s = peer.session()) {
                    assertThat(s.sellable(p, w)).isZero();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
