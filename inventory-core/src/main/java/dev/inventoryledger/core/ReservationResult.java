package dev.inventoryledger.core;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer of {@link InventoryLedger#tryReserve(String, String, long, String, java.time.Duration)}: whether
 * the units are held, and the sellable quantity the ledger saw when it decided.
 */
public final class ReservationResult {

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
        ID_IN_USE
    }

    private final String reservationId;
    private final Status status;
    private final long sellable;
    private final Instant expiresAt;

    private ReservationResult(String reservationId, Status status, long sellable, Instant expiresAt) {
        this.reservationId = reservationId;
        this.status = status;
        this.sellable = sellable;
        this.expiresAt = expiresAt;
    }

    /** Internal factory: used by the ledger. */
    static ReservationResult of(String reservationId, Status status, long sellable, Instant expiresAt) {
        return new ReservationResult(reservationId, status, sellable, expiresAt);
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
     * The sellable quantity at the position when the ledger decided, before this call changed anything:
     * for {@link Status#ACCEPTED} before the hold was taken, for {@link Status#ALREADY_HELD} with the earlier
     * hold already counted, for a rejection the quantity that fell short of the request.
     */
    public long sellable() {
        return sellable;
    }

    /** When the hold lapses if neither confirmed nor released; null when nothing is held. */
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReservationResult r && r.reservationId.equals(reservationId) && r.status == status
                && r.sellable == sellable && Objects.equals(r.expiresAt, expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reservationId, status, sellable, expiresAt);
    }

    @Override
    public String toString() {
        return "ReservationResult{" + reservationId + ' ' + status + ", sellable=" + sellable
                + (expiresAt == null ? "" : ", expiresAt=" + expiresAt) + '}';
    }
}
