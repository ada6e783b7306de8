package dev.inventoryledger.bench;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.InventoryEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.sql.SQLException;
import java.time.Instant;

/**
 * {@code apply} of one event, by one thread: events never seen before (the {@link EventMix} of orders, holds,
 * releases, cancellations, returns and receipts), and redeliveries of events already applied. The events are
 * made before each iteration; the measured path takes the next one from an array.
 *
 * <p>Only the ledger knows a redelivery for what it is. The peers have no duplicate detection: for them a
 * redelivery is one more update (and their counts drift; that is the point of the comparison).
 */
public class ApplyBenchmark extends HotPathBenchmark {

    /**
     * A stream of new events for one thread. For the ledger the stream is made anew, with new ids, before
     * every iteration (a replayed event would be a duplicate); the peers, which do not look at ids, go round it.
     */
    @State(Scope.Thread)
    public static class NewEvents {
        /** Events prepared per iteration; more than the ledger applies in one (about 4M/s on 2 cores). */
        @Param("4194304")
        public int ring;

        private Store store;
        private boolean remake;
        private InventoryEvent[] events;
        private int next;
        private String tag;
        private int lap;
        /** Event time of the next stream's first event: each lap goes on from the last (1 ms apart). */
        private Instant start = Instant.now();
        private long unprepared;
        int unexpected;

        @Setup(Level.Trial)
        public void prepare(StoreState shop, SessionState session) {
            store = shop.store;
            remake = shop.peer.deduplicates();
            tag = "T" + session.thread + "L";
            events = EventMix.newEvents(store, ring, tag + lap, start, session.thread * 7919);
        }

        @Setup(Level.Iteration)
        public void remake() {
            if (remake && next > 0) {
                lap++;
                events = null; // let the last stream go before the next one is made
                start = start.plusMillis(ring); // the history goes on: its clock, not the wall clock's
                events = EventMix.newEvents(store, ring, tag + lap, start, lap * 7919);
                next = 0;
                System.gc(); // the old stream is garbage now, not during the measurement
            }
        }

        InventoryEvent next() {
            int i = next++;
            if (i < events.length) {
                return events[i];
            }
            if (!remake) {
                next = 1;
                return events[0];
            }
            unprepared++;
            return EventMix.unprepared(store, tag + lap, i, i, start.plusMillis(i)); // the lap's clock goes on
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (unexpected > 0) {
                throw new IllegalStateException(unexpected + " new events were not applied: the stream repeats ids");
            }
            if (unprepared > 0) {
                System.out.printf("%n[apply] the %,d prepared events ran out: %,d more were made in the measured"
                        + " path (slower); give more with -p ring=%d%n", ring, unprepared, ring * 2);
                unprepared = 0;
            }
        }
    }

    /**
     * The tail of a stream already applied, delivered again and again: what a consumer that restarts before
     * committing its offsets reads a second time. Made once per trial: a stream of
     * {@value #HISTORY} new events is applied to the ledger, and the window is its longest tail that the ledger
     * still remembers whole ({@link EventMix#redeliveryWindow}: about 11,000 events at 50,000 products, the
     * most wanted product having about 1,000 of them). Every event of it is a duplicate for the ledger. The
     * peers, which keep no identities, skip the history and apply the same window.
     */
    @State(Scope.Thread)
    public static class Redeliveries {
        static final int HISTORY = 1 << 16;
        /**
         * At most this many per product in the window: the window earlier runs used, when each product remembered
         * its newest 1,024 (the horizon now keeps the whole history, 65 s of event time), so figures compare.
         */
        static final int REMEMBERED = 1_000;

        @Param("4194304")
        public int ring;

        private InventoryEvent[] window;
        private int next;
        private int expected;
        int unexpected;

        @Setup(Level.Trial)
        public void prepare(StoreState shop, SessionState session) throws SQLException {
            InventoryEvent[] history = EventMix.newEvents(shop.store, HISTORY, "D" + session.thread, Instant.now(),
                    session.thread * 7919);
            if (shop.peer.deduplicates()) {
                for (InventoryEvent e : history) {
                    if (session.session.apply(e) != ApplyOutcome.APPLIED.ordinal()) {
                        throw new IllegalStateException("history event not applied: " + e);
                    }
                }
                expected = ApplyOutcome.DUPLICATE.ordinal();
            }
            window = EventMix.redeliveryWindow(history, REMEMBERED, ring);
            System.out.printf("%n[redeliveries] a window of %,d events delivered again and again%n", window.length);
        }

        InventoryEvent next() {
            int i = next++;
            if (i == window.length - 1) {
                next = 0;
            }
            return window[i];
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (unexpected > 0) {
                throw new IllegalStateException(unexpected + " redeliveries were not recognised as duplicates");
            }
        }
    }

    @Benchmark
    @Threads(1)
    public int newEvents(SessionState s, NewEvents events) throws SQLException {
        int outcome = s.session.apply(events.next());
        if (outcome != 0) {
            events.unexpected++;
        }
        return outcome;
    }

    @Benchmark
    @Threads(1)
    public int redeliveries(SessionState s, Redeliveries events) throws SQLException {
        int outcome = s.session.apply(events.next());
        if (outcome != events.expected) {
            events.unexpected++;
        }
        return outcome;
    }
}
