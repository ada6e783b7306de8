package dev.inventoryledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The answer of a reservation attempt ({@code tryReserve}): whether the units are held, where
 * ({@link #allocations()}), and if not, which lines fell short and by how much ({@link #shortfalls()}).
 */
public final class ReservationResult {

    /**
     * Units held at one position.
     *
     * @param productId   the product
     * @param warehouseId the warehouse holding them
     * @param quantity    units held there
     * @param backordered how many of them had no sellable stock behind them (allowed by a backorder limit)
     */
    public record Allocation(String productId, String warehouseId, long quantity, long backordered) {
    }

    /**
     * A line that could not be met.
     *
     * @param productId   the product
     * @param warehouseId the warehouse asked for, or null for an "any warehouse" line
     * @param requested   units asked for (lines of the same product and warehouse summed)
     * @param sellable    units sellable for it when the ledger decided (across warehouses for "any")
     * @param missing     how many units could not be held
     */
    public record Shortfall(String productId, String warehouseId, long requested, long sellable, long missing) {
    }

    /** How a reservation attempt ended. */
    public enum Status {
        /** The units are now held under the reservation id. */
        ACCEPTED,
        /** The same reservation (same id, product, warehouse and quantity) is already active: nothing changed. */
        ALREADY_HELD,
        /** Sellable stock was below the quantity asked for: nothing is held. */
        INSUFFICIENT_STOCK,
        /**
         * The reservation id is already used by another reservation, or by this one after it ended: nothing
         * is held. Reservation ids are single-use (for as long as the ledger remembers them, see
         * {@code retainEndedReservations}), so that a late echo of an old hold cannot count again.
         */
        ID_IN_USE,
        /**
         * Only from a cluster of instances ({@code InventoryCluster} in the Kafka module): no decision reached this
         * caller within its bound. Nothing may or may not be held; ask again with the same reservation id, which
         * returns the decision taken, if any, and never holds twice.
         */
        OUTCOME_UNKNOWN
    }

    private final String reservationId;
    private final Status status;
    private final long sellable;
    private final Instant expiresAt;
    private final List<Allocation> allocations;
    private final List<Shortfall> shortfalls;

    private ReservationResult(String reservationId, Status status, long sellable, Instant expiresAt,
                              List<Allocation> allocations, List<Shortfall> shortfalls) {
        this.reservationId = reservationId;
        this.status = status;
        this.sellable = sellable;
        this.expiresAt = expiresAt;
        this.allocations = List.copyOf(allocations);
        this.shortfalls = List.copyOf(shortfalls);
    }

    /**
     * A result as the ledger makes it (public for the ledger's internal package and for tests; a storefront
     * gets its results from {@code tryReserve}).
     */
    public static ReservationResult of(String reservationId, Status status, long sellable, Instant expiresAt,
                                List<Allocation> allocations, List<Shortfall> shortfalls) {
        return new ReservationResult(reservationId, status, sellable, expiresAt, allocations, shortfalls);
    }

    /** True when the units are held: {@link Status#ACCEPTED} or {@link Status#ALREADY_HELD}. */
    public boolean accepted() {
        return status == Status.ACCEPTED || status == Status.ALREADY_HELD;
    }

    /** The reservation id asked for. */
    public String reservationId() {
        return reservationId;
    }

    /** How the attempt ended. */
    public Status status() {
        return status;
    }

    /**
     * A sellable quantity seen when the ledger decided, before this call changed anything; for an "any
     * warehouse" line, across the product's warehouses. Which line it is about depends on the status:
     * <ul>
     *   <li>{@link Status#ACCEPTED}: the first line's position, before the hold was taken;</li>
     *   <li>{@link Status#ALREADY_HELD}: the first line's position, with the earlier hold already counted;</li>
     *   <li>{@link Status#INSUFFICIENT_STOCK}: the first line (in request order) that fell short, the
     *       quantity that fell short of its request: {@code shortfalls().get(0).sellable()};</li>
     *   <li>{@link Status#ID_IN_USE}: the first line's position (its stock was not what refused it).</li>
     * </ul>
     * For a single-line reservation every status is about its one line.
     */
    public long sellable() {
        return sellable;
    }

    /** When the hold lapses if neither confirmed nor released; null when nothing is held. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Where the units are held, one entry per position; empty when nothing is held. */
    public List<Allocation> allocations() {
        return allocations;
    }

    /** The lines that fell short, and by how much; empty unless {@link Status#INSUFFICIENT_STOCK}. */
    public List<Shortfall> shortfalls() {
        return shortfalls;
    }

    /** Units held with no sellable stock behind them, across the allocations (see backorder limits). */
    public long backordered() {
        long n = 0;
        for (Allocation a : allocations) {
            n += a.backordered();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReservationResult r && r.reservationId.equals(reservationId) && r.status == status
                && r.sellable == sellable && Objects.equals(r.expiresAt, expiresAt)
                && r.allocations.equals(allocations) && r.shortfalls.equals(shortfalls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reservationId, status, sellable, expiresAt, allocations, shortfalls);
    }

    @Override
    public String toString() {
        return "ReservationResult{" + reservationId + ' ' + status + ", sellable=" + sellable
                + (expiresAt == null ? "" : ", expiresAt=" + expiresAt)
                + (allocations.isEmpty() ? "" : ", allocations=" + allocations)
                + (shortfalls.isEmpty() ? "" : ", shortfalls=" + shortfalls) + '}';
    }
}
