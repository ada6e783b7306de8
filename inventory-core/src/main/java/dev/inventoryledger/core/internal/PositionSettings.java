package dev.inventoryledger.core.internal;

import java.util.function.Consumer;

/**
 * The per-position and per-product settings a storefront changes at run time: safety stock, backorder limit,
 * low-stock threshold. Each is set under its product's write lock (a position is made if absent), so readers
 * see it together with the counts. Arguments are checked by the caller.
 */
public final class PositionSettings extends LedgerOperation {
    public PositionSettings(Services services) {
        super(services);
    }

    /** Keeps {@code units} back from sale at the position. */
    public void setSafetyStock(String productId, String warehouseId, long units) {
        set(productId, ps -> ps.setSafetyStock(products.slot(ps, warehouseId), units));
    }

    /** Lets reservations of the product go up to {@code units} below zero sellable at each position. */
    public void setBackorderLimit(String productId, long units) {
        set(productId, ps -> ps.setBackorderLimit(units));
    }

    /** The position's own low-stock threshold. */
    public void setLowStockThreshold(String productId, String warehouseId, int threshold) {
        set(productId, ps -> ps.setLowStockThreshold(products.slot(ps, warehouseId), threshold));
    }

    /** Makes the product if new and changes it under its write lock. */
    private void set(String productId, Consumer<ProductState> change) {
        ProductState ps = products.product(productId);
        long stamp = ps.writeLock();
        try {
            change.accept(ps);
        } finally {
            ps.unlockWrite(stamp);
        }
    }
}
