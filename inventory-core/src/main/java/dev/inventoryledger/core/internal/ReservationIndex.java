package dev.inventoryledger.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reservations by id, and the bounded memory of ended ones: a reservation whose lines have all ended joins
 * a queue, and beyond {@code retainEndedReservations} the oldest are forgotten (so a repeated call or a
 * late event about them is no longer recognised). A reservation with an open line is never forgotten.
 *
 * <p>Concurrency: the map and queue are concurrent; a reservation's counters ({@code openLines},
 * {@code queuedForRetirement}, {@code retired}) are written only here, under its monitor, taken inside a
 * product's write lock, never the other way round.
 */
public final class ReservationIndex {
    private final int retainEndedReservations;
    private final ConcurrentHashMap<String, Reservation> reservations = new ConcurrentHashMap<>();
    /** Reservations whose lines have all ended, oldest first. */
    private final ConcurrentLinkedQueue<Reservation> ended = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endedCount = new AtomicInteger();

    public ReservationIndex(int retainEndedReservations) {
        this.retainEndedReservations = retainEndedReservations;
    }

    /** The reservation, or null. */
    public Reservation get(String reservationId) {
        return reservations.get(reservationId);
    }

    /** A new, empty reservation under {@code id}, published; null if the id is taken (by another thread, too). */
    public Reservation claim(String id) {
        Reservation fresh = new Reservation(id);
        return reservations.putIfAbsent(id, fresh) == null ? fresh : null;
    }

    /** Adds a line to a reservation this thread has just claimed. The line's product write lock held. */
    public HoldLine addLine(Reservation r, ProductState ps, Slot s) {
        assert ps.isWriteLocked();
        synchronized (r) {
            return r.addLine(ps, s);
        }
    }

    /** True when no reservation is known. */
    public boolean isEmpty() {
        return reservations.isEmpty();
    }

    /** Every reservation known now (a live view). */
    public Collection<Reservation> all() {
        return reservations.values();
    }

    /**
     * Every reservation known now (a copy): those not waiting to be forgotten first, then the ended ones
     * oldest first. A ledger that adds them in this order (settling each as it goes, as restore does) queues
     * the ended ones as this index has them, and so goes on forgetting the same ones.
     */
    public List<Reservation> inRetirementOrder() {
        Set<Reservation> queued = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Reservation> endedOldestFirst = new ArrayList<>();
        for (Reservation r : ended) {
            if (reservations.get(r.id) == r && queued.add(r)) {
                endedOldestFirst.add(r);
            }
        }
        List<Reservation> out = new ArrayList<>(reservations.size());
        for (Reservation r : reservations.values()) {
            if (!queued.contains(r)) {
                out.add(r);
            }
        }
        out.addAll(endedOldestFirst);
        return out;
    }

    /**
     * Counts a line out of its reservation (lines are counted in when added); a reservation with no open
     * line joins the queue of ended ones, the oldest of which are forgotten beyond
     * the retention bound.
     */
    public void settle(Reservation r, int openDelta) {
        boolean queued = false;
        synchronized (r) {
            r.openLines += openDelta;
            if (r.openLines == 0 && !r.queuedForRetirement && !r.retired) {
                r.queuedForRetirement = true;
                queued = true;
            }
        }
        if (queued) {
            ended.add(r);
            if (endedCount.incrementAndGet() > retainEndedReservations) {
                retireOldest();
            }
        }
    }

    private void retireOldest() {
        while (endedCount.get() > retainEndedReservations) {
            Reservation r = ended.poll();
            if (r == null) {
                return;
            }
            endedCount.decrementAndGet();
            synchronized (r) {
                r.queuedForRetirement = false;
                if (r.openLines == 0) {
                    r.retired = true;
                    reservations.remove(r.id, r);
                }
            }
        }
    }

    /** The reservation's line for this position, or null. */
    public HoldLine findLine(String reservationId, ProductState ps, Slot s) {
        Reservation r = reservations.get(reservationId);
        return r == null ? null : r.line(ps.productId, s.warehouseId);
    }

    /** The reservation's line for this position, created (state NEW) if absent. Product write lock held. */
    public HoldLine lineFor(String reservationId, ProductState ps, Slot s) {
        assert ps.isWriteLocked();
        while (true) {
            Reservation r = reservations.get(reservationId);
            if (r == null) {
                Reservation fresh = new Reservation(reservationId);
                r = reservations.putIfAbsent(reservationId, fresh);
                if (r == null) {
                    r = fresh;
                }
            }
            HoldLine line = r.line(ps.productId, s.warehouseId);
            if (line != null) {
                return line;
            }
            synchronized (r) {
                if (!r.retired) {
                    return r.addLine(ps, s);
                }
            }
            reservations.remove(reservationId, r); // retired meanwhile: make a fresh one
        }
    }
}
