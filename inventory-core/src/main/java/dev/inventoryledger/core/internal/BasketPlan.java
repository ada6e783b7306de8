package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.AllocationRule;
import dev.inventoryledger.core.Position;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a basket's units would come from, worked out line by line before anything is held: each line sees
 * the sellable stock minus what earlier lines of the same basket already planned to take. Built and used
 * under the write locks of every product in the basket; not thread-safe.
 */
public final class BasketPlan {
    /** Units to hold per slot, in planning order. A slot not yet in its product is {@link Slot#detached}. */
    public final Map<Slot, long[]> units = new LinkedHashMap<>();
    /** The product of each planned slot. */
    public final Map<Slot, ProductState> owners = new HashMap<>();

    /** Sellable at a slot minus units already planned there (0 for no slot). */
    public long sellable(Slot s) {
        if (s == null) {
            return 0;
        }
        long[] taken = units.get(s);
        return Slot.saturatedSubtract(s.sellable(), taken == null ? 0 : taken[0]);
    }

    /** Sellable across a product's warehouses, an oversold one counting as 0, minus planned units. */
    public long anySellable(ProductState ps) {
        long sum = 0;
        for (Slot s : ps.slots()) {
            sum = Slot.saturatedAdd(sum, Math.max(0, sellable(s)));
        }
        return sum;
    }

    /** Plans a fixed-warehouse line; returns the units that cannot be held (0 when planned). */
    public long planOne(ProductState ps, String warehouseId, long q) {
        Slot s = ps.find(warehouseId);
        long room = Slot.saturatedAdd(sellable(s), ps.backorderLimit());
        if (room < q) {
            return q - Math.max(0, room);
        }
        take(s != null ? s : Slot.detached(warehouseId), ps, q); // the position is created only if accepted
        return 0;
    }

    /**
     * Plans an "any warehouse" line by the rule: whole, at the first ranked warehouse with the stock (else on
     * backorder at the first that allows it); or, for a splitting rule, spread in rank order with any rest on
     * backorder at the best-ranked warehouse. Returns the units that cannot be held (0 when planned).
     */
    public long planAny(ProductState ps, long q, AllocationRule rule) {
        List<Position> candidates = new ArrayList<>();
        for (Slot s : ps.slots()) {
            candidates.add(new Position(ps.productId, s.warehouseId, s.available, s.held, s.safetyStock,
                    sellable(s), null));
        }
        List<String> order = rule.rank(ps.productId, candidates);
        if (!rule.splits()) {
            for (String w : order) { // in stock first ...
                Slot s = ps.find(w);
                if (s != null && sellable(s) >= q) {
                    take(s, ps, q);
                    return 0;
                }
            }
            for (String w : order) { // ... then on backorder
                Slot s = ps.find(w);
                if (s != null && Slot.saturatedAdd(sellable(s), ps.backorderLimit()) >= q) {
                    take(s, ps, q);
                    return 0;
                }
            }
            return q;
        }
        long remaining = q;
        Map<Slot, long[]> tentative = new LinkedHashMap<>();
        for (String w : order) {
            Slot s = ps.find(w);
            long part = s == null ? 0 : Math.min(remaining, Math.max(0, sellable(s)));
            if (part > 0) {
                tentative.put(s, new long[]{part});
                remaining -= part;
            }
        }
        Slot best = order.isEmpty() ? null : ps.find(order.get(0));
        if (remaining > 0 && best != null) { // the rest on backorder at the best-ranked warehouse
            long already = tentative.containsKey(best) ? tentative.get(best)[0] : 0;
            long room = Slot.saturatedAdd(sellable(best), ps.backorderLimit()) - already;
            long part = Math.min(remaining, Math.max(0, room));
            if (part > 0) {
                tentative.computeIfAbsent(best, k -> new long[1])[0] += part;
                remaining -= part;
            }
        }
        if (remaining > 0) {
            return remaining;
        }
        for (Map.Entry<Slot, long[]> t : tentative.entrySet()) {
            take(t.getKey(), ps, t.getValue()[0]);
        }
        return 0;
    }

    private void take(Slot s, ProductState ps, long q) {
        units.computeIfAbsent(s, k -> new long[1])[0] += q;
        owners.put(s, ps);
    }
}
