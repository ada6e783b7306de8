package dev.inventoryledger.core.internal;

/**
 * The per-position and per-product settings a storefront changes at run time: safety stock, backorder limit,
 * low-stock threshold. Each is set under its product's write lock (a position is made if absent), so readers
 * see it together with the counts. Arguments are checked by the caller.
 */
public final class PositionSettings {
    private final ProductDirectory products;

    public PositionSettings(ProductDirectory products) {
        this.products = products;
    }

    /** Keeps {@code units} back from sale at the position. */
    public void setSafetyStock(String productId, String warehouseId, long units) {
        ProductState ps = products.product(productId);
        long stamp = ps.writeLock();
        try {
            ps.setSafetyStock(products.slot(ps, warehouseId), units);
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    /** Lets reservations of the product go up to {@code units} below zero sellable at each position. */
    public void setBackorderLimit(String productId, long units) {
        ProductState ps = products.product(productId);
        long stamp = ps.writeLock();
        try {
            ps.setBackorderLimit(units);
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    /** The position's own low-stock threshold. */
    public void setLowStockThreshold(String productId, String warehouseId, int threshold) {
        ProductState ps = products.product(productId);
        long stamp = ps.writeLock();
        try {
            ps.setLowStockThreshold(products.slot(ps, warehouseId), threshold);
        } finally {
            ps.unlockWrite(stamp);
        }
    }
}
