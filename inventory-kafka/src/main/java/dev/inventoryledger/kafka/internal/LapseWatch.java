package dev.inventoryledger.kafka.internal;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.internal.Identities;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hold lines still open in the history, per partition, as the replica reads them: what a partition's owner
 * looks through to publish the {@code released} of every hold that lapsed, so that the history itself says so
 * (for every reader, the article's SQL included) rather than each replica deciding it on its own clock. A line
 * leaves when an order consumes it or its releases add up to its hold, including the release its owner
 * published; one that lapsed is told once per run of this instance, and a repeat after a failover is the same
 * event (the same identity), which counts once.
 *
 * <p>Written by the feed's thread ({@link #applied}); read by the owner's ({@link #lapsed}).
 */
public final class LapseWatch {
    private static final class Line {
        final String reservationId, productId, warehouseId;
        long quantity, released;
        Instant expiresAt;
        boolean told;

        Line(InventoryEvent held) {
            this.reservationId = held.reservationId();
            this.productId = held.productId();
            this.warehouseId = held.warehouseId();
        }
    }

    private final Map<Integer, Map<String, Line>> byPartition = new ConcurrentHashMap<>();

    /** An event of the partition was applied. */
    public void applied(int partition, InventoryEvent e) {
        Map<String, Line> lines = byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>());
        switch (e.kind()) {
            case RESERVATION_HELD -> {
                if (e.expiresAt() == null) {
                    return; // never lapses
                }
                Line l = lines.computeIfAbsent(key(e.reservationId(), e.productId(), e.warehouseId()),
                        k -> new Line(e));
                synchronized (l) {
                    l.quantity = e.quantity();
                    if (l.expiresAt == null || e.expiresAt().isAfter(l.expiresAt)) {
                        l.expiresAt = e.expiresAt(); // a renewal
                        l.told = false;
                    }
                }
            }
            case RESERVATION_RELEASED -> {
                String key = key(e.reservationId(), e.productId(), e.warehouseId());
                Line l = lines.get(key);
                if (l != null) {
                    synchronized (l) {
                        l.released += e.quantity();
                        if (l.released >= l.quantity) {
                            lines.remove(key);
                        }
                    }
                }
            }
            case ORDER_PLACED -> {
                if (e.reservationId() != null) {
                    lines.remove(key(e.reservationId(), e.productId(), e.warehouseId()));
                }
            }
            default -> {
            }
        }
    }

    /**
     * The {@code released} events, stamped {@code now}, of the partition's lines that lapsed before
     * {@code cutoff} and were not told yet; marks them told. A line's first release carries the plain identity,
     * a later one the {@code event_id} the ledger gives it ({@code <reservation>@<warehouse>#released-<units>}).
     */
    public List<InventoryEvent> lapsed(int partition, Instant cutoff, Instant now) {
        Map<String, Line> lines = byPartition.get(partition);
        List<InventoryEvent> released = new ArrayList<>();
        if (lines == null) {
            return released;
        }
        for (Line l : lines.values()) {
            synchronized (l) {
                long units = l.quantity - l.released;
                if (l.told || units <= 0 || !l.expiresAt.isBefore(cutoff)) {
                    continue;
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
        return released;
    }

    /** Open lines watched, over every partition. */
    public int size() {
        return byPartition.values().stream().mapToInt(Map::size).sum();
    }

    private static String key(String reservationId, String productId, String warehouseId) {
        return reservationId + '\u0000' + productId + '\u0000' + warehouseId;
    }

    static boolean isReservationOrOrder(EventKind kind) {
        return kind.isReservation() || kind == EventKind.ORDER_PLACED;
    }
}
