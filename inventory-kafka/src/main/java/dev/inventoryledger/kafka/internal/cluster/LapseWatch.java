package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.internal.Identities;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hold lines still open in the history, per partition, as the replica reads them: what a partition's owner
 * looks through to publish the {@code released} of every hold that lapsed, so that the history itself says so
 * (for every reader, the article's SQL included) rather than each replica deciding it on its own clock. A line
 * leaves when its releases add up to its hold, including the release its owner published; an order naming it
 * does not end it here, since a reader of held minus released would go on counting it held (a confirm writes
 * the released of its units beside its order; a hold sold after it lapsed, or consumed by another producer's
 * order, gets the lapse's). One that lapsed is told once per run of this instance, and a repeat after a failover
 * is the same event (the same identity), which counts once.
 *
 * <p>Written by the feed's thread ({@link #applied}); read by the owner's ({@link #lapsed}).
 */
public final class LapseWatch {
    private static final class Line {
        final String reservationId, productId, warehouseId;
        long quantity, released;
        Instant expiresAt;
        boolean told, open = true;

        Line(InventoryEvent held) {
            this.reservationId = held.reservationId();
            this.productId = held.productId();
            this.warehouseId = held.warehouseId();
        }
    }

    /** One partition's open lines, and the same lines by expiry (a renewal or an end leaves a stale entry). */
    private static final class Partition {
        final Map<String, Line> lines = new ConcurrentHashMap<>();
        final PriorityQueue<Due> due = new PriorityQueue<>();
    }

    private record Due(Instant at, Line line) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            return at.compareTo(o.at);
        }
    }

    private final Map<Integer, Partition> byPartition = new ConcurrentHashMap<>();

    /** An event of the partition was applied (those that are not about holds change nothing here). */
    public void applied(int partition, InventoryEvent e) {
        if (!e.kind().isReservation()) {
            return; // receipts, returns, cancellations, orders
        }
        Partition p = byPartition.computeIfAbsent(partition, k -> new Partition());
        switch (e.kind()) {
            case RESERVATION_HELD -> {
                if (e.expiresAt() == null) {
                    return; // never lapses
                }
                Line l = p.lines.computeIfAbsent(key(e.reservationId(), e.productId(), e.warehouseId()),
                        k -> new Line(e));
                synchronized (l) {
                    l.quantity = e.quantity();
                    if (l.expiresAt == null || e.expiresAt().isAfter(l.expiresAt)) {
                        l.expiresAt = e.expiresAt(); // a renewal
                        l.told = false;
                        synchronized (p.due) {
                            p.due.add(new Due(l.expiresAt, l));
                        }
                    }
                }
            }
            case RESERVATION_RELEASED -> {
                String key = key(e.reservationId(), e.productId(), e.warehouseId());
                Line l = p.lines.get(key);
                if (l != null) {
                    synchronized (l) {
                        l.released += e.quantity();
                        if (l.released >= l.quantity) {
                            l.open = false;
                            p.lines.remove(key);
                        }
                    }
                }
            }
            default -> { // an order naming the hold leaves it open: for a reader that sums held minus released, only
                // a released ends it (a confirm writes one beside its order; a late confirm's is the lapse's)
            }
        }
    }

    /**
     * A hold line loaded with the replica's state (a checkpoint or snapshot), open in the history: watched as if
     * its {@code held} (and the releases of part of it) had been read.
     */
    public void restored(int partition, String reservationId, String productId, String warehouseId, long quantity,
                         long released, Instant expiresAt) {
        Partition p = byPartition.computeIfAbsent(partition, k -> new Partition());
        Line l = p.lines.computeIfAbsent(key(reservationId, productId, warehouseId), k -> new Line(
                InventoryEvent.reservationHeld(reservationId, productId, warehouseId, quantity, expiresAt)));
        synchronized (l) {
            l.quantity = quantity;
            l.released = released;
            l.expiresAt = expiresAt;
            synchronized (p.due) {
                p.due.add(new Due(expiresAt, l));
            }
        }
    }

    /**
     * The {@code released} events, stamped {@code now}, of the partition's lines that lapsed before
     * {@code cutoff} and were not told yet; marks them told. A line's first release carries the plain identity,
     * a later one the {@code event_id} the ledger gives it ({@code <reservation>@<warehouse>#released-<units>}).
     */
    public List<InventoryEvent> lapsed(int partition, Instant cutoff, Instant now) {
        Partition p = byPartition.get(partition);
        List<InventoryEvent> released = new ArrayList<>();
        if (p == null) {
            return released;
        }
        while (true) {
            Due due;
            synchronized (p.due) {
                due = p.due.peek();
                if (due == null || !due.at.isBefore(cutoff)) {
                    return released;
                }
                p.due.poll();
            }
            Line l = due.line;
            synchronized (l) {
                long units = l.quantity - l.released;
                if (!l.open || l.told || units <= 0 || !l.expiresAt.equals(due.at)) {
                    continue; // ended, told, or renewed since (its later entry is still queued)
                }
                l.told = true;
                InventoryEvent e = InventoryEvent.reservationReleased(l.reservationId, l.productId, l.warehouseId,
                        units, now);
                if (l.released > 0) {
                    e = e.withEventId(Identities.releaseEventId(l.reservationId, l.warehouseId,
                            "released-" + (l.released + units)));
                }
                released.add(e);
            }
        }
    }

    /**
     * For a partition another instance owns: forgets the entries at the head of its expiry queue that ended or
     * were renewed, so that the queue stays as long as the open lines (the owner's releases end the lapsed).
     */
    public void prune(int partition) {
        Partition p = byPartition.get(partition);
        if (p == null) {
            return;
        }
        while (true) { // never a line's monitor inside the queue's: applied() takes them the other way round
            Due due;
            synchronized (p.due) {
                due = p.due.peek();
            }
            if (due == null) {
                return;
            }
            synchronized (due.line) {
                if (due.line.open && due.line.expiresAt.equals(due.at)) {
                    return;
                }
            }
            synchronized (p.due) {
                if (p.due.peek() == due) {
                    p.due.poll();
                }
            }
        }
    }

    /** The partitions seen. */
    public List<Integer> partitions() {
        return List.copyOf(byPartition.keySet());
    }

    /** Open lines watched, over every partition. */
    public int size() {
        return byPartition.values().stream().mapToInt(p -> p.lines.size()).sum();
    }

    private static String key(String reservationId, String productId, String warehouseId) {
        return reservationId + '\u0000' + productId + '\u0000' + warehouseId;
    }
}
