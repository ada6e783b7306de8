package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Event streams as a storefront's topics deliver them, made before a benchmark measures anything.
 *
 * <p>{@link #newEvents} makes a realistic mix of events never seen before, on products chosen by the
 * store's skewed choice and a uniform warehouse. Of every 100 events, about:
 * <ul>
 *   <li>57 orders placed (1–3 units), 13 of them consuming a hold made earlier in the stream
 *       ({@code reservation_id});</li>
 *   <li>20 holds ({@code held}, 1–3 units, expiring 15 minutes after their event time) and 7 releases of
 *       them — each hold ends within about 2,000 events, by its order or its release;</li>
 *   <li>5 cancellations of an earlier order of the stream, 5 returns (1 unit), 6 receipts (20–200 units).</li>
 * </ul>
 *
 * <p>{@link #redeliveryWindow} picks, from a stream already applied, the tail a consumer that restarts would
 * read again: as long as the ledger still remembers every event in it, so that each is a true duplicate.
 */
public final class EventMix {
    /** How long a hold from the stream lasts. */
    public static final long HOLD_SECONDS = 15 * 60;
    /** How many events after its hold a hold ends, at most (before probing for a free place). */
    private static final int HOLD_SPAN = 2_000;

    private EventMix() {
    }

    /**
     * {@code count} new events whose ids all carry {@code tag} (so that two calls with different tags never
     * share an identity), stamped one millisecond apart from {@code start}, products and warehouses taken
     * from the store's choices from {@code firstChoice} on.
     */
    public static InventoryEvent[] newEvents(Store store, int count, String tag, Instant start, int firstChoice) {
        SplittableRandom random = new SplittableRandom(tag.hashCode() * 0x9E3779B97F4A7C15L);
        InventoryEvent[] out = new InventoryEvent[count];
        InventoryEvent[] scheduled = new InventoryEvent[count]; // ends of holds, placed ahead of time
        InventoryEvent[] recentOrders = new InventoryEvent[256]; // what a cancellation may cancel
        int choice = firstChoice;
        for (int i = 0; i < count; i++) {
            if (scheduled[i] != null) {
                out[i] = scheduled[i];
                continue;
            }
            Instant t = start.plusMillis(i);
            String product = store.productAt(choice);
            String warehouse = store.warehouseAt(choice);
            choice++;
            int dice = random.nextInt(100);
            if (dice < 55) {
                InventoryEvent order = InventoryEvent.orderPlaced("O" + tag + "-" + i, product, warehouse,
                        1 + random.nextInt(3), t);
                recentOrders[random.nextInt(recentOrders.length)] = order;
                out[i] = order;
            } else if (dice < 80) {
                String reservation = "H" + tag + "-" + i;
                long q = 1 + random.nextInt(3);
                out[i] = InventoryEvent.reservationHeld(reservation, product, warehouse, q, t)
                        .withExpiresAt(t.plusSeconds(HOLD_SECONDS));
                int end = i + 1 + random.nextInt(HOLD_SPAN);
                while (end < count && scheduled[end] != null) {
                    end++;
                }
                if (end < count) {
                    Instant endTime = start.plusMillis(end);
                    scheduled[end] = random.nextInt(100) < 65
                            ? InventoryEvent.orderPlaced("O" + tag + "-" + end, product, warehouse, q, endTime)
                            .withReservationId(reservation)
                            : InventoryEvent.reservationReleased(reservation, product, warehouse, q, endTime);
                } // else the hold outlives the stream: it stays held
            } else if (dice < 86) {
                int k = random.nextInt(recentOrders.length);
                InventoryEvent order = recentOrders[k];
                recentOrders[k] = null; // an order is cancelled once
                out[i] = order != null
                        ? InventoryEvent.orderCancelled(order.id(), order.productId(), order.warehouseId(),
                        order.quantity(), t)
                        : InventoryEvent.returnReceived("RT" + tag + "-" + i, product, warehouse, 1, t);
            } else if (dice < 92) {
                out[i] = InventoryEvent.returnReceived("RT" + tag + "-" + i, product, warehouse, 1, t);
            } else {
                out[i] = InventoryEvent.stockReceived("RC" + tag + "-" + i, product, warehouse,
                        20 + random.nextInt(181), t);
            }
        }
        return out;
    }

    /**
     * A plain new event made in the measured path when a benchmark has used up its prepared stream (an order
     * or a receipt, alternately; unique for each {@code (tag, n)}). Slower than a prepared one: a benchmark
     * that needs it says so after the iteration.
     */
    public static InventoryEvent unprepared(Store store, String tag, long n, int choice, Instant at) {
        String product = store.productAt(choice);
        String warehouse = store.warehouseAt(choice);
        return (n & 1) == 0
                ? InventoryEvent.orderPlaced("OX" + tag + "-" + n, product, warehouse, 1, at)
                : InventoryEvent.stockReceived("RCX" + tag + "-" + n, product, warehouse, 1, at);
    }

    /**
     * The longest tail of {@code applied} in which no product has more than {@code perProduct} events: what a
     * ledger that remembers {@code perProduct} identities per product still recognises, every one of them,
     * when it is delivered again. At most {@code max} events.
     */
    public static InventoryEvent[] redeliveryWindow(InventoryEvent[] applied, int perProduct, int max) {
        Map<String, Integer> counts = new HashMap<>();
        int from = applied.length;
        while (from > 0 && applied.length - from < max) {
            int n = counts.merge(applied[from - 1].productId(), 1, Integer::sum);
            if (n > perProduct) {
                break;
            }
            from--;
        }
        InventoryEvent[] window = new InventoryEvent[applied.length - from];
        System.arraycopy(applied, from, window, 0, window.length);
        return window;
    }
}
