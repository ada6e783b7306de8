package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The store every hot-path benchmark runs against, the same for the ledger and each peer: {@code products ×
 * warehouses} positions (the article's 50,000-SKU store in 10 warehouses by default), each stocked by one
 * receipt, and the shoppers' skewed choice of what to look at.
 *
 * <ul>
 *   <li>Products are {@code SKU-00000}…; warehouses {@code WH-0}…. Every position starts with
 *       {@link #STOCK_PER_POSITION} units so that no benchmark runs out: each measures the path that
 *       succeeds (a sold-out SKU is the flash-sale simulation's subject, not these).</li>
 *   <li>Choices are precomputed: {@link #productAt(int)} and {@link #warehouseAt(int)} index a ring of
 *       {@value #CHOICES} draws, so the measured path pays an index increment and two array loads, no random
 *       numbers and no allocation. Products follow a Zipf law with exponent {@value #ZIPF_EXPONENT} over a
 *       shuffled ranking (the most wanted product is not {@code SKU-00000}): with 50,000 products the most
 *       wanted one gets about 9% of the traffic and the 100 most wanted about 45%. Warehouses are uniform.</li>
 *   <li>{@link #hotProduct()} at {@link #hotWarehouse()} is the flash-sale SKU: the most wanted product.</li>
 * </ul>
 *
 * <p>Immutable after construction; safe to share between threads.
 */
public final class Store {
    /** Units each position starts with (one receipt). */
    public static final long STOCK_PER_POSITION = 1_000_000_000L;
    /** Length of the ring of precomputed choices (a power of two). */
    public static final int CHOICES = 1 << 20;
    /** The Zipf exponent of product popularity. */
    public static final double ZIPF_EXPONENT = 1.0;
    /** The time of the preloading receipts; events made later are stamped after it. */
    public static final Instant OPENING = Instant.parse("2026-11-27T08:00:00Z");

    private final String[] products;
    private final String[] warehouses;
    private final String[] productChoices;
    private final String[] warehouseChoices;
    private final String hotProduct;

    private Store(int productCount, int warehouseCount, long seed) {
        if (productCount < 1 || warehouseCount < 1) {
            throw new IllegalArgumentException("products and warehouses must be >= 1 but were " + productCount
                    + " and " + warehouseCount);
        }
        products = new String[productCount];
        for (int p = 0; p < productCount; p++) {
            products[p] = String.format("SKU-%05d", p);
        }
        warehouses = new String[warehouseCount];
        for (int w = 0; w < warehouseCount; w++) {
            warehouses[w] = "WH-" + w;
        }
        SplittableRandom random = new SplittableRandom(seed);
        Popularity popularity = new Popularity(productCount, ZIPF_EXPONENT, random);
        productChoices = new String[CHOICES];
        warehouseChoices = new String[CHOICES];
        for (int i = 0; i < CHOICES; i++) {
            productChoices[i] = products[popularity.productOfRank(popularity.rank(random.nextDouble()))];
            warehouseChoices[i] = warehouses[random.nextInt(warehouseCount)];
        }
        hotProduct = products[popularity.productOfRank(0)];
    }

    /** A store of {@code products × warehouses} positions with choices drawn from a fixed seed. */
    public static Store of(int products, int warehouses) {
        return new Store(products, warehouses, 20261127L);
    }

    public int productCount() {
        return products.length;
    }

    public int warehouseCount() {
        return warehouses.length;
    }

    public String product(int p) {
        return products[p];
    }

    public String warehouse(int w) {
        return warehouses[w];
    }

    /** The product of choice {@code i} (any int: taken modulo the ring). */
    public String productAt(int i) {
        return productChoices[i & (CHOICES - 1)];
    }

    /** The warehouse of choice {@code i} (any int: taken modulo the ring). */
    public String warehouseAt(int i) {
        return warehouseChoices[i & (CHOICES - 1)];
    }

    /** The flash-sale product: the most wanted one. */
    public String hotProduct() {
        return hotProduct;
    }

    /** The flash-sale warehouse. */
    public String hotWarehouse() {
        return warehouses[0];
    }

    /** The receipt that stocks position (p, w) before a benchmark starts: the same event every time. */
    public InventoryEvent openingReceipt(int p, int w) {
        return InventoryEvent.stockReceived("RCPT-" + p + "-" + w, products[p], warehouses[w], STOCK_PER_POSITION,
                OPENING);
    }
}
