package dev.inventoryledger.core.internal;

import java.util.function.Supplier;

/**
 * Whether the ledger's own decisions ({@code tryReserve}, {@code confirm}, {@code release}, {@code extend}) may
 * be called by anyone, or only by what drives the ledger (an {@code InventoryCluster}, whose owners decide for
 * every instance): a ledger driven so refuses a direct call, naming the call to use, since a decision taken
 * there alone would be published nowhere and could sell units another instance sells too.
 *
 * <p>Thread-safe: {@link #driver} is volatile (set once, before the cluster decides); a driver's decisions are
 * marked on the deciding thread only.
 */
public final class DecisionGuard {
    /** What drives the ledger, for the message; null while anyone may decide. */
    private volatile String driver;
    private final ThreadLocal<Boolean> deciding = new ThreadLocal<>();

    /**
     * From now on only decisions run through {@link #decide} are allowed.
     *
     * @throws IllegalStateException if something drives the ledger already
     */
    public synchronized void driveBy(String who) {
        if (driver != null) {
            throw new IllegalStateException("this ledger is driven by " + driver + " already: give "
                    + who + " a new ledger of its own");
        }
        driver = who;
    }

    /** Runs a decision of the driver's on this thread. */
    public <T> T decide(Supplier<T> decision) {
        Boolean outer = deciding.get();
        deciding.set(Boolean.TRUE);
        try {
            return decision.get();
        } finally {
            if (outer == null) {
                deciding.remove();
            }
        }
    }

    /**
     * Refuses a decision called directly on a driven ledger.
     *
     * @throws IllegalStateException naming the driver and the call to use instead
     */
    public void check(String call) {
        String d = driver;
        if (d != null && deciding.get() == null) {
            throw new IllegalStateException("this ledger is the replica of " + d + ", whose owners decide every "
                    + "hold: call the cluster's " + call + "(...) instead (a decision taken here alone would be "
                    + "published nowhere, and another instance could sell the same units)");
        }
    }
}
