package dev.inventoryledger.core;

import java.util.List;

/**
 * The result of {@link InventoryLedger#audit()}: the held counters compared with the holds they summarise.
 *
 * @param positionsChecked positions compared
 * @param activeHolds      active hold lines found
 * @param discrepancies    positions whose held counter differs from the sum of their active holds
 */
public record LedgerAudit(long positionsChecked, long activeHolds, List<Discrepancy> discrepancies) {

    /** Copies the list. */
    public LedgerAudit {
        discrepancies = List.copyOf(discrepancies);
    }

    /** True when every counter matches its holds. */
    public boolean isClean() {
        return discrepancies.isEmpty();
    }

    /**
     * One position whose counter drifted.
     *
     * @param productId      the product
     * @param warehouseId    the warehouse
     * @param heldCounter    what the position's held counter says
     * @param heldByHolds    the sum of the quantities of the position's active holds
     */
    public record Discrepancy(String productId, String warehouseId, long heldCounter, long heldByHolds) {
    }
}
