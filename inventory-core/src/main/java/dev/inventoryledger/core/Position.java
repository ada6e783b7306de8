package dev.inventoryledger.core;

import java.time.Instant;

/**
 * The state of one (product, warehouse) position at one moment: an immutable snapshot in which available
 * and held come from the same instant (never torn).
 *
 * @param productId   the product
 * @param warehouseId the warehouse
 * @param available   sum of the stock deltas of the applied events; negative means oversold
 * @param held        units in holds that are active (not released, consumed or expired)
 * @param safetyStock units kept back from sale at this position (0 unless configured)
 * @param sellable    {@code available − held − safetyStock}: what checkout may still sell
 * @param lastUpdated the greatest event time of any event applied to the position (reservations and the
 *                    ledger's own confirms included), or null when only a setting has touched it
 */
public record Position(String productId, String warehouseId, long available, long held, long safetyStock,
                       long sellable, Instant lastUpdated) {

    /**
     * Held units with no sellable stock behind them: reserved on backorder (see
     * {@link InventoryLedger#setBackorderLimit(String, long)}). 0 unless sellable is negative.
     */
    public long backordered() {
        return sellable >= 0 ? 0 : Math.min(held, -sellable);
    }
}
