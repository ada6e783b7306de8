package dev.inventoryledger.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How a reservation line for "any warehouse" ({@link ReservationLine#anyWarehouse(String, long)}) picks its
 * warehouse. The ledger checks availability and holds the units in the same atomic step, under the
 * product's lock: never checked in one place and held in another. A warehouse with negative stock never
 * blocks sale from another.
 *
 * <p>Built-in rules: {@link #priority(List)} (a fixed order), {@link #mostSellable()}, and
 * {@link #nearestFirst(List)} (an order the caller computes per request, e.g. by distance to the customer).
 * Each takes the whole line from one warehouse unless {@link #allowingSplit()} lets it take the line from
 * several, in rank order.
 *
 * <p>A custom rule runs under the product's lock: it must be quick and must not call the ledger.
 */
public interface AllocationRule {

    /**
     * The warehouses to try, best first, among the product's positions (each with its sellable now). A
     * warehouse not in the returned list is not used.
     */
    List<String> rank(String productId, List<Position> positions);

    /** Whether one line may be split across several warehouses. Default false. */
    default boolean splits() {
        return false;
    }

    /** This rule, allowed to split a line across warehouses in rank order. */
    default AllocationRule allowingSplit() {
        AllocationRule self = this;
        return new AllocationRule() {
            @Override
            public List<String> rank(String productId, List<Position> positions) {
                return self.rank(productId, positions);
            }

            @Override
            public boolean splits() {
                return true;
            }
        };
    }

    /** Only these warehouses, always in this order. */
    static AllocationRule priority(List<String> warehouses) {
        List<String> order = List.copyOf(Objects.requireNonNull(warehouses, "warehouses"));
        return (productId, positions) -> {
            List<String> out = new ArrayList<>(order.size());
            for (String w : order) {
                for (Position p : positions) {
                    if (p.warehouseId().equals(w)) {
                        out.add(w);
                        break;
                    }
                }
            }
            return out;
        };
    }

    /** Every warehouse of the product, the one with most sellable first (ties by warehouse id). */
    static AllocationRule mostSellable() {
        return (productId, positions) -> positions.stream()
                .sorted(Comparator.comparingLong(Position::sellable).reversed().thenComparing(Position::warehouseId))
                .map(Position::warehouseId).toList();
    }

    /**
     * The caller's order for this request, nearest first (e.g. by distance to the delivery address): the same
     * as {@link #priority(List)}, named for its use.
     */
    static AllocationRule nearestFirst(List<String> warehousesByDistance) {
        return priority(warehousesByDistance);
    }
}
