package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.internal.Partitioning;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A basket across owners: its lines split by the partition of their product (as Kafka's default partitioner
 * places a record keyed by the product), each part held under its own id when there are several
 * ({@code <reservationId>~<partition>}, since each owner's ledger keeps a reservation's lines together), the
 * parts found again in the replica for a later call, and the parts' outcomes combined into the basket's.
 */
public final class Baskets {
    /** One owner's part of a reservation: its id there, and the lines named (null for all). */
    public record Part(String id, List<ReservationLine> lines) {
    }

    private final InventoryLedger ledger;
    private final int partitions;

    public Baskets(InventoryLedger ledger, int partitions) {
        this.ledger = ledger;
        this.partitions = partitions;
    }

    /** The id a part of a basket spanning several partitions is held under. */
    public static String partId(String reservationId, int partition) {
        return reservationId + "~" + partition;
    }

    /** The partition a product's records and requests go to. */
    public int partitionOf(String productId) {
        return Partitioning.partitionOf(productId, partitions);
    }

    /** The lines by partition, in the order the partitions first appear. */
    public Map<Integer, List<ReservationLine>> split(List<ReservationLine> lines) {
        Map<Integer, List<ReservationLine>> parts = new LinkedHashMap<>();
        for (ReservationLine l : lines) {
            parts.computeIfAbsent(partitionOf(l.productId()), p -> new ArrayList<>()).add(l);
        }
        return parts;
    }

    /**
     * The parts a call on the reservation goes to: every part ({@code lines} null), or the parts of the lines
     * named. Empty if the replica does not know the reservation and no lines are named.
     */
    public Map<Integer, Part> parts(String reservationId, List<ReservationLine> lines) {
        Map<Integer, String> ids = idsOf(reservationId);
        Map<Integer, Part> parts = new LinkedHashMap<>();
        if (lines == null) {
            ids.forEach((p, id) -> parts.put(p, new Part(id, null)));
            return parts;
        }
        Map<Integer, List<ReservationLine>> split = split(lines);
        split.forEach((p, part) -> parts.put(p, new Part(ids.getOrDefault(p,
                split.size() == 1 && ids.isEmpty() ? reservationId : partId(reservationId, p)), part)));
        return parts;
    }

    private Map<Integer, String> idsOf(String reservationId) {
        List<ReservationLine> whole = ledger.reservationLines(reservationId);
        if (!whole.isEmpty()) {
            return Map.of(partitionOf(whole.get(0).productId()), reservationId);
        }
        Map<Integer, String> ids = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            String id = partId(reservationId, p);
            if (!ledger.reservationLines(id).isEmpty()) {
                ids.put(p, id);
            }
        }
        return ids;
    }

    /**
     * The basket's result from its parts': unknown if any is; accepted if all are (allocations together,
     * the earliest expiry); else the first refusal, with every part's shortfalls.
     */
    public static ReservationResult combine(String reservationId, List<ReservationResult> parts) {
        List<ReservationResult.Allocation> allocations = new ArrayList<>();
        List<ReservationResult.Shortfall> shortfalls = new ArrayList<>();
        ReservationResult refused = null;
        boolean allRepeats = true;
        Instant expiresAt = null;
        for (ReservationResult r : parts) {
            if (r.status() == ReservationResult.Status.OUTCOME_UNKNOWN) {
                return ReservationResult.of(reservationId, ReservationResult.Status.OUTCOME_UNKNOWN, 0, null,
                        List.of(), List.of());
            }
            allocations.addAll(r.allocations());
            shortfalls.addAll(r.shortfalls());
            allRepeats &= r.status() == ReservationResult.Status.ALREADY_HELD;
            if (!r.accepted() && refused == null) {
                refused = r;
            }
            if (r.expiresAt() != null && (expiresAt == null || r.expiresAt().isBefore(expiresAt))) {
                expiresAt = r.expiresAt();
            }
        }
        if (refused != null) {
            return ReservationResult.of(reservationId, refused.status(), refused.sellable(), null, List.of(),
                    shortfalls);
        }
        return ReservationResult.of(reservationId, allRepeats ? ReservationResult.Status.ALREADY_HELD
                : ReservationResult.Status.ACCEPTED, parts.get(0).sellable(), expiresAt, allocations, List.of());
    }

    /** The reservation's outcome from its parts': the one that needs the caller's attention most. */
    public static HoldOutcome combine(List<HoldOutcome> parts) {
        HoldOutcome worst = parts.get(0);
        for (HoldOutcome o : parts) {
            if (rank(o) > rank(worst)) {
                worst = o;
            }
        }
        return worst;
    }

    private static int rank(HoldOutcome o) {
        return switch (o) {
            case OUTCOME_UNKNOWN -> 9;
            case ORDER_CONFLICT -> 8;
            case EXPIRED -> 7;
            case UNKNOWN -> 6;
            case CONFIRMED_AFTER_EXPIRY -> 5;
            case ALREADY_RELEASED, ALREADY_CONFIRMED -> 4;
            case CONFIRMED, RELEASED, EXTENDED -> 0;
        };
    }
}
