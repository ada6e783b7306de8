package dev.inventoryledger.bench.kafka;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.bench.Popularity;
import dev.inventoryledger.core.InventoryEvent;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The store's event stream: {@code products} × {@code warehouses} positions, products chosen Zipf-like
 * (product rank k with weight 1/k<sup>s</sup>), warehouses uniformly, every kind in a storefront's mix.
 * Deterministic for a seed. Each event has a fresh id, so the stream has no redeliveries.
 *
 * <table>
 *   <caption>Mix</caption>
 *   <tr><th>kind</th><th>share</th></tr>
 *   <tr><td>order placed (1 in 10 of them consumes an open hold, as a confirmed checkout does)</td><td>50 %</td></tr>
 *   <tr><td>reservation held</td><td>18 %</td></tr>
 *   <tr><td>reservation released (an open hold; a hold if none is open)</td><td>12 %</td></tr>
 *   <tr><td>stock received</td><td>10 %</td></tr>
 *   <tr><td>order cancelled, return received</td><td>5 % each</td></tr>
 * </table>
 *
 * <p>Every hold ends at most once (released, or consumed by an order for the same position and quantity),
 * so the plain sums a Kafka Streams aggregate computes (available += delta, held += ±quantity) equal the
 * ledger's counts; {@link #expectedAvailable} and {@link #expectedHeld} are those sums, kept as events are
 * made. Not thread-safe.
 */
final class Workload {
    private static final Instant BASE = Instant.parse("2026-11-25T10:00:00Z");
    private static final int OPEN_HOLDS = 10_000;

    private final int products, warehouses;
    private final Popularity popularity;
    private final SplittableRandom random;
    private final String[] productIds, warehouseIds;
    private final long[] available, held; // expected sums, per position index
    // Open holds, oldest first, in a ring: a hold pushed out when the ring is full stays held for good.
    private final int[] openPosition = new int[OPEN_HOLDS];
    private final long[] openQuantity = new long[OPEN_HOLDS];
    private final String[] openId = new String[OPEN_HOLDS];
    private int openHead, openSize;
    private long sequence;

    Workload(int products, int warehouses, double zipfExponent, long seed) {
        if (products < 1 || warehouses < 1) {
            throw new IllegalArgumentException("products and warehouses must be >= 1 but were " + products + ", "
                    + warehouses);
        }
        this.products = products;
        this.warehouses = warehouses;
        this.random = new SplittableRandom(seed);
        // Ranks are scattered over the ids, so the hottest products do not share a partition by their names.
        this.popularity = new Popularity(products, zipfExponent, random);
        productIds = new String[products]; // by rank
        for (int k = 0; k < products; k++) {
            productIds[k] = String.format("SKU-%06d", popularity.productOfRank(k));
        }
        warehouseIds = new String[warehouses];
        for (int w = 0; w < warehouses; w++) {
            warehouseIds[w] = String.format("WH-%02d", w);
        }
        available = new long[products * warehouses];
        held = new long[products * warehouses];
    }

    int positions() {
        return products * warehouses;
    }

    String productOf(int position) {
        return productIds[position / warehouses];
    }

    String warehouseOf(int position) {
        return warehouseIds[position % warehouses];
    }

    /** Sum of the available deltas of the events made so far, at a position. */
    long expectedAvailable(int position) {
        return available[position];
    }

    /** Quantity held and not ended by the events made so far, at a position. */
    long expectedHeld(int position) {
        return held[position];
    }

    /** The next event of the stream. */
    InventoryEvent next() {
        long n = sequence++;
        Instant time = BASE.plusMillis(n);
        int roll = random.nextInt(100);
        if (roll < 50) {
            if (roll < 5 && openSize > 0) {
                int i = openHead;
                popOpen();
                int p = openPosition[i];
                long q = openQuantity[i];
                available[p] -= q;
                held[p] -= q;
                return InventoryEvent.orderPlaced("O-" + n, productOf(p), warehouseOf(p), q, time)
                        .withReservationId(openId[i]);
            }
            int p = position();
            long q = 1 + random.nextInt(3);
            available[p] -= q;
            return InventoryEvent.orderPlaced("O-" + n, productOf(p), warehouseOf(p), q, time);
        }
        if (roll < 80) {
            if (roll >= 68 && openSize > 0) {
                int i = openHead;
                popOpen();
                int p = openPosition[i];
                held[p] -= openQuantity[i];
                return InventoryEvent.reservationReleased(openId[i], productOf(p), warehouseOf(p), openQuantity[i], time);
            }
            int p = position();
            long q = 1 + random.nextInt(3);
            held[p] += q;
            String id = "R-" + n;
            pushOpen(p, q, id);
            return InventoryEvent.reservationHeld(id, productOf(p), warehouseOf(p), q, time);
        }
        int p = position();
        if (roll < 90) {
            long q = 50 + random.nextInt(450);
            available[p] += q;
            return InventoryEvent.stockReceived("RCPT-" + n, productOf(p), warehouseOf(p), q, time);
        }
        long q = 1 + random.nextInt(2);
        available[p] += q;
        return roll < 95 ? InventoryEvent.orderCancelled("O-" + n, productOf(p), warehouseOf(p), q, time)
                : InventoryEvent.returnReceived("RET-" + n, productOf(p), warehouseOf(p), q, time);
    }

    private int position() {
        return popularity.rank(random.nextDouble()) * warehouses + random.nextInt(warehouses);
    }

    private void pushOpen(int position, long quantity, String id) {
        if (openSize == OPEN_HOLDS) {
            popOpen(); // the oldest stays held for good
        }
        int i = (openHead + openSize) % OPEN_HOLDS;
        openPosition[i] = position;
        openQuantity[i] = quantity;
        openId[i] = id;
        openSize++;
    }

    private void popOpen() {
        openHead = (openHead + 1) % OPEN_HOLDS;
        openSize--;
    }

    /** The topic the feed reads a kind from (both reservation kinds share one). */
    static EventKind topicKind(EventKind kind) {
        return kind.isReservation() ? EventKind.RESERVATION_HELD : kind;
    }
}
