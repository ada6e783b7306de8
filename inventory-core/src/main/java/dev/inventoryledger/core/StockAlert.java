package dev.inventoryledger.core;

import java.time.Instant;

/**
 * A transition of one position's available stock, told to {@link StockAlertListener}s.
 *
 * @param type        which line was crossed
 * @param productId   the product
 * @param warehouseId the warehouse
 * @param before      available before the change
 * @param available   available after the change
 * @param threshold   the position's low-stock threshold at the time
 * @param eventTime   the time of the event (or ledger call) that made the change
 */
public record StockAlert(Type type, String productId, String warehouseId, long before, long available,
                         long threshold, Instant eventTime) {

    /** The transitions reported. One change can cross several lines and so raise several alerts. */
    public enum Type {
        /** Available went from at or above the low-stock threshold to below it. */
        LOW_STOCK,
        /** Available went from above zero to zero or below. */
        OUT_OF_STOCK,
        /** Available went from zero or below to above zero. */
        BACK_IN_STOCK,
        /** Available went from zero or above to below zero: more was sold than there was. */
        OVERSOLD
    }
}
