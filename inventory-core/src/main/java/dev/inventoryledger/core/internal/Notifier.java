package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.LocalEventListener;
import dev.inventoryledger.core.StockAlert;
import dev.inventoryledger.core.StockAlertListener;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who hears of what the ledger did: stock-alert listeners (transitions of a position's available count) and
 * local-event listeners (the events in-process operations stand for). An operation collects what to tell
 * while it holds its locks ({@link #crossings}, {@link #localEvents}, {@link #record}) and tells it after it
 * has released them ({@link #tell}, {@link #tellLocal}), on its own thread. A listener that throws is
 * counted and dropped: it never undoes or blocks the change.
 *
 * <p>Thread-safe: the listener lists are copy-on-write.
 */
public final class Notifier {
    private final List<StockAlertListener> listeners;
    private final List<LocalEventListener> localListeners;
    private final long defaultLowStockThreshold;
    private final LedgerMetrics metrics;

    public Notifier(List<StockAlertListener> listeners, List<LocalEventListener> localListeners,
                    long defaultLowStockThreshold, LedgerMetrics metrics) {
        this.listeners = new CopyOnWriteArrayList<>(listeners);
        this.localListeners = new CopyOnWriteArrayList<>(localListeners);
        this.defaultLowStockThreshold = defaultLowStockThreshold;
        this.metrics = metrics;
    }

    public void addListener(StockAlertListener listener) {
        listeners.add(listener);
    }

    public void addLocalListener(LocalEventListener listener) {
        localListeners.add(listener);
    }

    // ------------------------------------------------------------------------------------------ alerts

    /**
     * The transitions of a position's available from {@code before} to {@code after}, appended to {@code into}
     * (made when the first is found; null stays null when there is none or nobody listens). A lock of the
     * product held.
     */
    public List<StockAlert> crossings(ProductState ps, Slot s, long before, long after, Instant time,
                                      List<StockAlert> into) {
        if (before == after || listeners.isEmpty()) {
            return into;
        }
        long threshold = ps.lowStockThreshold(s, defaultLowStockThreshold);
        into = add(into, before >= threshold && after < threshold, StockAlert.Type.LOW_STOCK, ps, s, before, after,
                threshold, time);
        into = add(into, before > 0 && after <= 0, StockAlert.Type.OUT_OF_STOCK, ps, s, before, after, threshold,
                time);
        into = add(into, before <= 0 && after > 0, StockAlert.Type.BACK_IN_STOCK, ps, s, before, after, threshold,
                time);
        return add(into, before >= 0 && after < 0, StockAlert.Type.OVERSOLD, ps, s, before, after, threshold, time);
    }

    private static List<StockAlert> add(List<StockAlert> into, boolean crossed, StockAlert.Type type, ProductState ps,
                                        Slot s, long before, long after, long threshold, Instant time) {
        if (!crossed) {
            return into;
        }
        List<StockAlert> list = into == null ? new ArrayList<>(2) : into;
        list.add(new StockAlert(type, ps.productId, s.warehouseId, before, after, threshold, time));
        return list;
    }

    /** Tells every alert listener of each alert, in order (null: nothing to tell). No lock held. */
    public void tell(List<StockAlert> alerts) {
        if (alerts == null) {
            return;
        }
        for (StockAlert a : alerts) {
            for (StockAlertListener l : listeners) {
                try {
                    l.onAlert(a);
                } catch (RuntimeException e) {
                    metrics.listenerFailed(); // a listener's failure must not undo or block the change
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ local events

    /** True when someone listens to local events. */
    public boolean listensLocally() {
        return !localListeners.isEmpty();
    }

    /** A list to collect one operation's local events in, or null when nobody listens. */
    public List<InventoryEvent> localEvents() {
        return localListeners.isEmpty() ? null : new ArrayList<>(2);
    }

    /**
     * Adds the order or {@code held} event an in-process step on a line stands for to {@code into} (null: nobody
     * listens, nothing is made). Releases are made and registered by the hold actions themselves.
     */
    public static void record(List<InventoryEvent> into, HoldLine l, EventKind kind, long quantity, String orderId,
                              Instant now, Instant expiresAt) {
        record(into, l, kind, quantity, orderId, now, expiresAt, true);
    }

    /** As above; an order names its reservation only if {@code namingHold}. */
    public static void record(List<InventoryEvent> into, HoldLine l, EventKind kind, long quantity, String orderId,
                              Instant now, Instant expiresAt, boolean namingHold) {
        if (into == null) {
            return;
        }
        String reservationId = l.reservation.id;
        String p = l.product.productId, w = l.slot.warehouseId;
        into.add(switch (kind) {
            case ORDER_PLACED -> InventoryEvent.orderPlaced(orderId, p, w, quantity, now)
                    .withReservationId(namingHold ? reservationId : null);
            case RESERVATION_HELD -> held(reservationId, p, w, quantity, now, expiresAt);
            default -> throw new IllegalArgumentException("not an in-process step: " + kind);
        });
    }

    /** The {@code held} event a hold stands for. */
    public static InventoryEvent held(String reservationId, String productId, String warehouseId, long quantity,
                                      Instant now, Instant expiresAt) {
        return InventoryEvent.reservationHeld(reservationId, productId, warehouseId, quantity, now)
                .withExpiresAt(expiresAt);
    }

    /** Tells the local-event listeners of one operation's events (null or empty: nothing). No lock held. */
    public void tellLocal(List<InventoryEvent> events) {
        if (events == null || events.isEmpty()) {
            return;
        }
        List<InventoryEvent> told = List.copyOf(events);
        for (LocalEventListener l : localListeners) {
            try {
                l.onLocalEvents(told);
            } catch (RuntimeException e) {
                metrics.listenerFailed(); // a listener's failure must not undo or block the change
            }
        }
    }
}
