package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.Checks;

import java.time.Instant;

/**
 * One inventory event: an immutable value, validated when it is made.
 *
 * <p>Every event names a product, a warehouse, a positive quantity and an event time, as in the article's
 * Kafka sources; {@link #id()} is the kind's own id ({@code order_id}, {@code return_id},
 * {@code receipt_id} or {@code reservation_id}, see {@link EventKind#idField()}). Optional fields:
 * <ul>
 *   <li>{@link #eventId()}: an explicit idempotency key. When present it is the event's identity (within
 *       its product); otherwise the identity is (kind, id, product, warehouse).</li>
 *   <li>{@link #reservationId()}: on an order, the hold the order consumes (held and available go down in
 *       one step); on a reservation event, the reservation's own id.</li>
 *   <li>{@link #expiresAt()}: on a {@code held} reservation, the instant at which the hold lapses.</li>
 * </ul>
 *
 * <p>Made through the static factories, which read well at a call site:
 * <pre>{@code
 * InventoryEvent.orderPlaced("ORD-9", "SKU-1", "WH-1", 2, Instant.now())
 *     .withEventId("evt-4711")
 *     .withReservationId("cart-42");
 * }</pre>
 *
 * <p>Refused with an {@link InvalidEventException} naming the field and value: a null or blank id, an id
 * longer than {@value #MAX_ID_LENGTH} characters, a quantity ≤ 0, a null event time or one outside years
 * 1–9999, a reservation id on a receipt, return or cancellation, an expiry on anything but a hold.
 *
 * @param kind          what happened
 * @param id            the kind's own id (order, return, receipt or reservation id)
 * @param productId     the product ({@code product_id})
 * @param warehouseId   the warehouse ({@code warehouse_id})
 * @param quantity      units, &gt; 0
 * @param eventTime     when it happened ({@code event_time})
 * @param eventId       optional idempotency key ({@code event_id}), or null
 * @param reservationId on an order the hold it consumes, or null; on a reservation event its own id
 * @param expiresAt     on a held reservation, when the hold lapses; otherwise null
 */
public record InventoryEvent(EventKind kind, String id, String productId, String warehouseId, long quantity,
                             Instant eventTime, String eventId, String reservationId, Instant expiresAt) {

    /** The longest id accepted, in characters (ids of every kind, product and warehouse ids, event ids). */
    public static final int MAX_ID_LENGTH = Checks.MAX_ID_LENGTH;

    /** Validates every field; see the class comment for what is refused. */
    public InventoryEvent {
        if (kind == null) {
            throw new InvalidEventException("kind", null, "kind must be given but was null");
        }
        String idField = kind.idField();
        // The messages' context is made only for an event that fails a check: building it for every event
        // cost more than the checks (events decoded from Kafka arrive by the hundred thousand a second).
        if (!Checks.isId(id) || !Checks.isId(productId)) {
            Checks.id(idField, id, " (" + kind + ")");
            Checks.id("product_id", productId, " (" + idField + " " + id + ")");
        }
        if (!Checks.isId(warehouseId) || quantity <= 0 || !Checks.isTime(eventTime)
                || eventId != null && !Checks.isId(eventId)) {
            String context = context(idField, id, productId);
            Checks.id("warehouse_id", warehouseId, context);
            Checks.quantity(quantity, context);
            Checks.time("event_time", eventTime, context);
            if (eventId != null) {
                Checks.id("event_id", eventId, context);
            }
        }
        if (kind.isReservation()) {
            if (reservationId == null) {
                reservationId = id;
            } else if (!reservationId.equals(id)) {
                throw new InvalidEventException("reservation_id", reservationId, "reservation_id must equal the "
                        + "reservation's own id " + id + " but was " + reservationId + context(idField, id, productId));
            }
        } else if (reservationId != null) {
            if (kind != EventKind.ORDER_PLACED) {
                throw new InvalidEventException("reservation_id", reservationId, "reservation_id is allowed on orders "
                        + "only but was " + reservationId + " on " + kind + context(idField, id, productId));
            }
            if (!Checks.isId(reservationId)) {
                Checks.id("reservation_id", reservationId, context(idField, id, productId));
            }
        }
        if (expiresAt != null) {
            if (kind != EventKind.RESERVATION_HELD) {
                throw new InvalidEventException("expires_at", expiresAt, "expires_at is allowed on held reservations "
                        + "only but was " + expiresAt + " on " + kind + context(idField, id, productId));
            }
            if (!Checks.isTime(expiresAt)) {
                Checks.time("expires_at", expiresAt, context(idField, id, productId));
            }
        }
    }

    /** What a refusal's message ends with: which event it is. */
    private static String context(String idField, String id, String productId) {
        return " (" + idField + " " + id + ", product " + productId + ")";
    }

    /** A customer placed an order line: available −= quantity. */
    public static InventoryEvent orderPlaced(String orderId, String productId, String warehouseId, long quantity,
                                             Instant eventTime) {
        return new InventoryEvent(EventKind.ORDER_PLACED, orderId, productId, warehouseId, quantity, eventTime,
                null, null, null);
    }

    /** An order line was cancelled: available += quantity. */
    public static InventoryEvent orderCancelled(String orderId, String productId, String warehouseId, long quantity,
                                                Instant eventTime) {
        return new InventoryEvent(EventKind.ORDER_CANCELLED, orderId, productId, warehouseId, quantity, eventTime,
                null, null, null);
    }

    /** A return arrived back at the warehouse: available += quantity. */
    public static InventoryEvent returnReceived(String returnId, String productId, String warehouseId, long quantity,
                                                Instant eventTime) {
        return new InventoryEvent(EventKind.RETURN_RECEIVED, returnId, productId, warehouseId, quantity, eventTime,
                null, null, null);
    }

    /** Stock arrived at the warehouse: available += quantity. */
    public static InventoryEvent stockReceived(String receiptId, String productId, String warehouseId, long quantity,
                                               Instant eventTime) {
        return new InventoryEvent(EventKind.STOCK_RECEIVED, receiptId, productId, warehouseId, quantity, eventTime,
                null, null, null);
    }

    /** Units were held under a reservation: held += quantity, until released, consumed or expired. */
    public static InventoryEvent reservationHeld(String reservationId, String productId, String warehouseId,
                                                 long quantity, Instant eventTime) {
        return new InventoryEvent(EventKind.RESERVATION_HELD, reservationId, productId, warehouseId, quantity,
                eventTime, null, reservationId, null);
    }

    /** A hold was released: it ends, and its units are sellable again. */
    public static InventoryEvent reservationReleased(String reservationId, String productId, String warehouseId,
                                                     long quantity, Instant eventTime) {
        return new InventoryEvent(EventKind.RESERVATION_RELEASED, reservationId, productId, warehouseId, quantity,
                eventTime, null, reservationId, null);
    }

    /** This event with an explicit idempotency key ({@code event_id}). */
    public InventoryEvent withEventId(String newEventId) {
        return new InventoryEvent(kind, id, productId, warehouseId, quantity, eventTime, newEventId, reservationId,
                expiresAt);
    }

    /** This order with the reservation it consumes. Refused on any kind but {@link EventKind#ORDER_PLACED}. */
    public InventoryEvent withReservationId(String newReservationId) {
        return new InventoryEvent(kind, id, productId, warehouseId, quantity, eventTime, eventId, newReservationId,
                expiresAt);
    }

    /** This hold with an expiry instant. Refused on any kind but {@link EventKind#RESERVATION_HELD}. */
    public InventoryEvent withExpiresAt(Instant newExpiresAt) {
        return new InventoryEvent(kind, id, productId, warehouseId, quantity, eventTime, eventId, reservationId,
                newExpiresAt);
    }

    /** +quantity, −quantity or 0: this event's change to available (not counting a consumed hold). */
    public long availableDelta() {
        return kind.availableSign() * quantity;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(96).append(kind).append('{').append(kind.idField()).append('=').append(id)
                .append(", product=").append(productId).append(", warehouse=").append(warehouseId)
                .append(", quantity=").append(quantity).append(", time=").append(eventTime);
        if (eventId != null) {
            b.append(", event_id=").append(eventId);
        }
        if (reservationId != null && !kind.isReservation()) {
            b.append(", reservation_id=").append(reservationId);
        }
        if (expiresAt != null) {
            b.append(", expires_at=").append(expiresAt);
        }
        return b.append('}').toString();
    }
}
