package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The storefront events {@link KafkaPipeline} publishes, drawn from a seed, and the counts they add up to,
 * kept apart from any ledger so that the ledger can be checked against them.
 *
 * <ul>
 *   <li>First one receipt per position (10–40 units); then, at a random position each time: orders
 *       (1–3 units, only of what is sellable there: the storefront does not oversell), holds (1–2 units, of
 *       what is sellable), releases of those holds, cancellations and returns of earlier orders, and
 *       restocking receipts (5–20 units). Orders take more than receipts bring, so stock runs low.</li>
 *   <li>Every event has its own identity (no redeliveries) and no hold expires, so the expected counts
 *       depend on the events alone: {@code available} = receipts + cancellations + returns − orders and
 *       {@code held} = holds − releases, per position.</li>
 *   <li>The same seed and sizes give the same events in the same order.</li>
 * </ul>
 *
 * <p>Not thread-safe: one thread draws the events; read the expected counts once it has finished (after
 * {@link Thread#join()}, which orders its writes before the reads).
 */
final class StorefrontTraffic {
    private final int products;
    private final int warehouses;
    private final Random random;
    private final long[] available;
    private final long[] held;
    private final List<List<Line>> openOrders; // per position: orders neither cancelled nor returned yet
    private final List<List<Line>> activeHolds; // per position: holds not released yet
    private long orderIds, holdIds, receiptIds, returnIds;

    /** An order or a hold at one position. */
    private record Line(String id, long quantity) {
    }

    StorefrontTraffic(int products, int warehouses, long seed) {
        this.products = products;
        this.warehouses = warehouses;
        this.random = new Random(seed);
        int positions = products * warehouses;
        this.available = new long[positions];
        this.held = new long[positions];
        this.openOrders = perPosition(positions);
        this.activeHolds = perPosition(positions);
    }

    private static List<List<Line>> perPosition(int positions) {
        List<List<Line>> lists = new ArrayList<>(positions);
        for (int i = 0; i < positions; i++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    /** {@code SKU-0001}, {@code SKU-0002} ... for product 0, 1 ... */
    static String product(int index) {
        return String.format(Locale.ROOT, "SKU-%04d", index + 1);
    }

    /** {@code WH-1}, {@code WH-2} ... for warehouse 0, 1 ... */
    static String warehouse(int index) {
        return "WH-" + (index + 1);
    }

    int positions() {
        return available.length;
    }

    String productOf(int position) {
        return product(position / warehouses);
    }

    String warehouseOf(int position) {
        return warehouse(position % warehouses);
    }

    /** The opening stock: one receipt per position, 10–40 units. */
    List<InventoryEvent> openingStock(Instant now) {
        List<InventoryEvent> receipts = new ArrayList<>(positions());
        for (int p = 0; p < positions(); p++) {
            receipts.add(receipt(p, 10 + random.nextInt(31), now));
        }
        return receipts;
    }

    /** The next event of the day's traffic. */
    InventoryEvent next(Instant now) {
        while (true) { // until a draw is possible: a receipt always is
            int p = random.nextInt(positions());
            int roll = random.nextInt(100);
            InventoryEvent e;
            if (roll < 60) {
                e = order(p, 1 + random.nextInt(3), now);
            } else if (roll < 72) {
                e = hold(p, 1 + random.nextInt(2), now);
            } else if (roll < 84) {
                e = release(p, now);
            } else if (roll < 90) {
                e = cancellation(p, now);
            } else if (roll < 96) {
                e = returned(p, now);
            } else {
                e = receipt(p, 5 + random.nextInt(16), now);
            }
            if (e != null) {
                return e;
            }
        }
    }

    /** Available at the position once every event drawn so far is counted. */
    long expectedAvailable(int position) {
        return available[position];
    }

    /** Held at the position once every event drawn so far is counted. */
    long expectedHeld(int position) {
        return held[position];
    }

    private InventoryEvent receipt(int p, long quantity, Instant now) {
        available[p] += quantity;
        return InventoryEvent.stockReceived(id("RCPT", ++receiptIds), productOf(p), warehouseOf(p), quantity, now);
    }

    private InventoryEvent order(int p, long quantity, Instant now) {
        if (available[p] - held[p] < quantity) {
            return null;
        }
        available[p] -= quantity;
        Line order = new Line(id("ORD", ++orderIds), quantity);
        openOrders.get(p).add(order);
        return InventoryEvent.orderPlaced(order.id(), productOf(p), warehouseOf(p), quantity, now);
    }

    private InventoryEvent hold(int p, long quantity, Instant now) {
        if (available[p] - held[p] < quantity) {
            return null;
        }
        held[p] += quantity;
        Line hold = new Line(id("cart", ++holdIds), quantity);
        activeHolds.get(p).add(hold);
        return InventoryEvent.reservationHeld(hold.id(), productOf(p), warehouseOf(p), quantity, now);
    }

    private InventoryEvent release(int p, Instant now) {
        Line hold = takeAny(activeHolds.get(p));
        if (hold == null) {
            return null;
        }
        held[p] -= hold.quantity();
        return InventoryEvent.reservationReleased(hold.id(), productOf(p), warehouseOf(p), hold.quantity(), now);
    }

    private InventoryEvent cancellation(int p, Instant now) {
        Line order = takeAny(openOrders.get(p));
        if (order == null) {
            return null;
        }
        available[p] += order.quantity();
        return InventoryEvent.orderCancelled(order.id(), productOf(p), warehouseOf(p), order.quantity(), now);
    }

    private InventoryEvent returned(int p, Instant now) {
        Line order = takeAny(openOrders.get(p));
        if (order == null) {
            return null;
        }
        long quantity = 1 + random.nextInt((int) order.quantity());
        available[p] += quantity;
        return InventoryEvent.returnReceived(id("RET", ++returnIds), productOf(p), warehouseOf(p), quantity, now);
    }

    /** Removes and returns a random element, or null if there is none (order is not kept: swap-remove). */
    private Line takeAny(List<Line> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        int i = random.nextInt(lines.size());
        Line taken = lines.get(i);
        lines.set(i, lines.get(lines.size() - 1));
        lines.remove(lines.size() - 1);
        return taken;
    }

    private static String id(String prefix, long n) {
        return prefix + "-" + n;
    }
}
