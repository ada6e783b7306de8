package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.Checks;

/**
 * One line of a basket to reserve: units of a product at a warehouse, or at whichever warehouse an
 * {@link AllocationRule} picks ({@link #anyWarehouse(String, long)}).
 *
 * @param productId   the product
 * @param warehouseId the warehouse, or null for "any warehouse"
 * @param quantity    units, &gt; 0
 */
public record ReservationLine(String productId, String warehouseId, long quantity) {

    /**
     * @throws InvalidEventException if the product id (or a given warehouse id) is null, blank or too long,
     *                               or the quantity is ≤ 0
     */
    public ReservationLine {
        if (!Checks.isId(productId) || (warehouseId != null && !Checks.isId(warehouseId)) || quantity <= 0) {
            String context = " (reservation line, product " + productId + ")"; // built only to refuse
            Checks.id("product_id", productId, context);
            if (warehouseId != null) {
                Checks.id("warehouse_id", warehouseId, context);
            }
            Checks.quantity(quantity, context);
        }
    }

    /** {@code quantity} units of a product at one warehouse. */
    public static ReservationLine of(String productId, String warehouseId, long quantity) {
        if (warehouseId == null) {
            throw new InvalidEventException("warehouse_id", null, "warehouse_id must be given but was null"
                    + " (reservation line, product " + productId + "; use anyWarehouse to let the ledger choose)");
        }
        return new ReservationLine(productId, warehouseId, quantity);
    }

    /** {@code quantity} units of a product at whichever warehouse the allocation rule picks. */
    public static ReservationLine anyWarehouse(String productId, long quantity) {
        return new ReservationLine(productId, null, quantity);
    }

    /** True when the ledger chooses the warehouse. */
    public boolean isAnyWarehouse() {
        return warehouseId == null;
    }
}
