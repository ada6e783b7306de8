package dev.inventoryledger.core;

/**
 * Told of stock transitions (see {@link StockAlert.Type}), never of every event.
 *
 * <p>Called on the thread that made the change, after the ledger has released its locks, so a listener may
 * call the ledger. Listeners of one ledger may be called from several threads at once; when two threads
 * change the same position at the same moment their alerts may arrive in either order (each alert carries
 * the before and after values). A listener that throws does not undo the change; the exception is
 * counted and dropped so that the other listeners are still told.
 */
@FunctionalInterface
public interface StockAlertListener {
    /** One transition of one position. */
    void onAlert(StockAlert alert);
}
