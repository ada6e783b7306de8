package dev.inventoryledger.core.internal;

import java.time.Clock;

/**
 * What every operation of the ledger stands on — its products, the identities they remember, the reservations
 * and the book that changes their holds, who listens, the meters and the clock — made once by the facade and shared. An operation (apply an event, hold,
 * act on a hold, read, set, checkpoint, audit) extends this and adds only what is its own.
 *
 * <p>The services are thread-safe; so is every operation.
 */
public abstract class LedgerOperation {
    /** The services, made once per ledger. */
    public record Services(ProductDirectory products, IdentityRegister identities, ReservationIndex reservations,
                           HoldBook holds, Notifier notifier, LedgerMetrics metrics, Clock clock) {
    }

    protected final ProductDirectory products;
    protected final IdentityRegister identities;
    protected final ReservationIndex reservations;
    protected final HoldBook holds;
    protected final Notifier notifier;
    protected final LedgerMetrics metrics;
    protected final Clock clock;

    protected LedgerOperation(Services s) {
        this.products = s.products();
        this.identities = s.identities();
        this.reservations = s.reservations();
        this.holds = s.holds();
        this.notifier = s.notifier();
        this.metrics = s.metrics();
        this.clock = s.clock();
    }

    /** The clock's instant in epoch nanoseconds (read only where holds can lapse). */
    protected final long nowNanos() {
        return Times.nanos(clock.instant());
    }
}
