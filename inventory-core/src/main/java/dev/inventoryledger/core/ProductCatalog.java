package dev.inventoryledger.core;

import java.util.OptionalLong;

/**
 * The caller's product catalog, as far as the ledger needs it: the reorder threshold of a product (the
 * article's {@code product_catalog.reorder_threshold}). Used by
 * {@link InventoryLedger#belowReorderThreshold(ProductCatalog)}.
 */
@FunctionalInterface
public interface ProductCatalog {
    /**
     * The reorder threshold of a product, or empty when the catalog does not know the product (such a
     * product is never reported, as with the article's inner join).
     */
    OptionalLong reorderThreshold(String productId);
}
