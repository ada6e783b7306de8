package dev.inventoryledger.core.internal;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;

/**
 * The ledger's products by id, the gate that keeps new products out while a checkpoint locks them all, and
 * the one lock order for any set of products (by product id), so that no two operations deadlock.
 *
 * <p>Concurrency: the map is concurrent; a product, once made, is never removed. {@link #creation} is
 * read-locked while a product is made and write-locked while a checkpoint lists the products and takes their
 * locks (or a restore loads them): no product appears in between, so a basket over a product made meanwhile is
 * wholly in the checkpoint or wholly after it. It is taken only where no product lock is held
 * ({@link #product} runs before any), so it cannot deadlock with them.
 */
public final class ProductDirectory {
    /** The order in which several products' locks are taken. */
    public static final Comparator<ProductState> LOCK_ORDER = Comparator.comparing(p -> p.productId);

    private final ConcurrentHashMap<String, ProductState> products = new ConcurrentHashMap<>();
    private final StampedLock creation = new StampedLock();
    /** Positions made so far (a gauge). */
    private final LongAdder positions = new LongAdder();
    /** The products by part, each in lock order, as {@link #freezePart} last made them. Guarded by creation's write lock. */
    private ProductState[][] parts;
    private int partsCount = -1, partsSize = -1;

    /** The product, or null if the ledger has never seen it. */
    public ProductState get(String productId) {
        return products.get(productId);
    }

    /** The product, made if new. Called with no product lock held. */
    public ProductState product(String productId) {
        ProductState ps = products.get(productId);
        if (ps != null) {
            return ps;
        }
        long stamp = creation.readLock();
        try {
            return products.computeIfAbsent(productId, ProductState::new);
        } finally {
            creation.unlockRead(stamp);
        }
    }

    /** Every product known now (a live view, in no order). */
    public Collection<ProductState> all() {
        return products.values();
    }

    /** True while no product is known. */
    public boolean isEmpty() {
        return products.isEmpty();
    }

    /** Products known now. */
    public int size() {
        return products.size();
    }

    /** The slot of a warehouse, made (and counted) if the product has none. The product's write lock held. */
    public Slot slot(ProductState ps, String warehouseId) {
        Slot s = ps.find(warehouseId);
        if (s == null) {
            s = ps.addSlot(warehouseId);
            positions.increment();
        }
        return s;
    }

    /** Positions made so far. */
    public long positionCount() {
        return positions.sum();
    }

    /** Event identities remembered now, summed over the products (racy: for metrics). */
    public long rememberedIdentities() {
        long n = 0;
        for (ProductState ps : products.values()) {
            n += ps.identityCount();
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------ lock order

    /** Every product known now, in lock order. */
    public ProductState[] allInLockOrder() {
        return inLockOrder(products.values());
    }

    /** The products (distinct), in the order their locks must be taken. */
    public static ProductState[] inLockOrder(Collection<ProductState> distinct) {
        ProductState[] sorted = distinct.toArray(new ProductState[0]);
        Arrays.sort(sorted, LOCK_ORDER);
        return sorted;
    }

    /** Takes the write locks of products already in lock order; returns their stamps. */
    public static long[] writeLockAll(ProductState[] inLockOrder) {
        long[] stamps = new long[inLockOrder.length];
        for (int i = 0; i < inLockOrder.length; i++) {
            assert i == 0 || LOCK_ORDER.compare(inLockOrder[i - 1], inLockOrder[i]) < 0 : "not in lock order";
            stamps[i] = inLockOrder[i].writeLock();
        }
        return stamps;
    }

    /** Releases what {@link #writeLockAll} took. */
    public static void unlockAllWrite(ProductState[] locked, long[] stamps) {
        for (int i = locked.length - 1; i >= 0; i--) {
            locked[i].unlockWrite(stamps[i]);
        }
    }

    /**
     * Every product known now, read-locked in lock order, with no product made while they are listed and
     * locked. The caller releases them by closing the {@link Frozen}.
     */
    public Frozen freezeAll() {
        long gate = creation.writeLock(); // no product is made until every listed one is locked
        try {
            return readLockAll(allInLockOrder());
        } finally {
            creation.unlockWrite(gate);
        }
    }

    /** Read-locks the products, in the order given (lock order); on a failure none stays locked. */
    private static Frozen readLockAll(ProductState[] inLockOrder) {
        long[] stamps = new long[inLockOrder.length];
        int locked = 0;
        try {
            for (; locked < inLockOrder.length; locked++) {
                stamps[locked] = inLockOrder[locked].readLock();
            }
            return new Frozen(inLockOrder, stamps);
        } catch (RuntimeException | Error e) {
            for (int i = locked - 1; i >= 0; i--) {
                inLockOrder[i].unlockRead(stamps[i]);
            }
            throw e;
        }
    }

    /**
     * The products of one part of {@code partCount} ({@code partOf} of their ids, such as a Kafka partition),
     * read-locked in lock order, with no product made while they are listed and locked: {@link #freezeAll} for a
     * part. The parts, each in lock order, are kept between calls and made again only when a product was added
     * since or the count changed: a snapshot of one partition does not sort its products every time.
     */
    public Frozen freezePart(int part, int partCount, java.util.function.ToIntFunction<String> partOf) {
        long gate = creation.writeLock(); // no product is made until every listed one is locked
        try {
            if (partsCount != partCount || partsSize != products.size()) {
                List<List<ProductState>> byPart = new java.util.ArrayList<>();
                for (int i = 0; i < partCount; i++) {
                    byPart.add(new java.util.ArrayList<>());
                }
                for (ProductState ps : products.values()) {
                    byPart.get(ps.partOf(partCount, partOf)).add(ps);
                }
                parts = new ProductState[partCount][];
                for (int i = 0; i < partCount; i++) {
                    parts[i] = inLockOrder(byPart.get(i));
                }
                partsCount = partCount;
                partsSize = products.size();
            }
            return readLockAll(parts[part]);
        } finally {
            creation.unlockWrite(gate);
        }
    }

    /** Products read-locked by {@link #freezeAll}; {@link #close()} unlocks them. */
    public record Frozen(ProductState[] products, long[] stamps) implements AutoCloseable {
        @Override
        public void close() {
            for (int i = products.length - 1; i >= 0; i--) {
                products[i].unlockRead(stamps[i]);
            }
        }
    }

    /**
     * Runs {@code load} with no product made meanwhile by another thread (a restore); {@code load} makes
     * products with {@link #productWhileGated}.
     */
    public void whileGated(Runnable load) {
        long gate = creation.writeLock();
        try {
            load.run();
        } finally {
            creation.unlockWrite(gate);
        }
    }

    /** The product, made if new, inside {@link #whileGated}. */
    public ProductState productWhileGated(String productId) {
        assert creation.isWriteLocked();
        return products.computeIfAbsent(productId, ProductState::new);
    }
}
