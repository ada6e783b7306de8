package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The floor: a bare {@code ConcurrentHashMap} of counters, product → warehouse → counter, as a monolith's
 * in-memory cache of stock would be. It shows what a hash lookup and an atomic update cost, and does none of
 * the ledger's work: no duplicate detection, no holds with an identity or an expiry, no history, no alerts.
 *
 * <ul>
 *   <li>{@code sellable}: two lookups and a volatile read.</li>
 *   <li>{@code apply}: two lookups and one atomic add of the event's change to sellable (a hold takes its
 *       units, a release gives them back, an order consuming a hold changes nothing).</li>
 *   <li>{@code tryReserve}: compute-if-enough, a compare-and-set loop that takes the units only if that many
 *       are left; {@code confirm}: a second update (units sold); {@code release}: gives the units back.</li>
 * </ul>
 */
final class MapPeer implements Peer.Shared {
    private static final VarHandle SELLABLE, SOLD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SELLABLE = lookup.findVarHandle(Counter.class, "sellable", long.class);
            SOLD = lookup.findVarHandle(Counter.class, "sold", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One position. Both fields are updated atomically through the var handles, read as volatile. */
    static final class Counter {
        volatile long sellable;
        volatile long sold;
    }

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> positions = new ConcurrentHashMap<>();

    @Override
    public void load(Store store) {
        for (int p = 0; p < store.productCount(); p++) {
            ConcurrentHashMap<String, Counter> byWarehouse = new ConcurrentHashMap<>();
            for (int w = 0; w < store.warehouseCount(); w++) {
                Counter c = new Counter();
                c.sellable = store.openingReceipt(p, w).quantity();
                byWarehouse.put(store.warehouse(w), c);
            }
            positions.put(store.product(p), byWarehouse);
        }
    }

    private Counter counter(String product, String warehouse) {
        return positions.get(product).get(warehouse);
    }

    @Override
    public boolean keepsReservations() {
        return false;
    }

    @Override
    public long sellable(String product, String warehouse) {
        return counter(product, warehouse).sellable;
    }

    @Override
    public int apply(InventoryEvent e) {
        SELLABLE.getAndAdd(counter(e.productId(), e.warehouseId()), Peer.sellableDelta(e));
        return 0;
    }

    @Override
    public boolean tryReserve(String product, String warehouse, long quantity, String reservationId) {
        Counter c = counter(product, warehouse);
        while (true) {
            long s = c.sellable;
            if (s < quantity) {
                return false;
            }
            if (SELLABLE.compareAndSet(c, s, s - quantity)) {
                return true;
            }
        }
    }

    @Override
    public boolean confirm(String product, String warehouse, long quantity, String reservationId, String orderId) {
        SOLD.getAndAdd(counter(product, warehouse), quantity);
        return true;
    }

    @Override
    public boolean release(String product, String warehouse, long quantity, String reservationId) {
        SELLABLE.getAndAdd(counter(product, warehouse), quantity);
        return true;
    }
}
