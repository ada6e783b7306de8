package dev.inventoryledger.core;

/**
 * The six kinds of inventory event, with their effect on a (product, warehouse) position.
 *
 * <table>
 *   <caption>Kinds, their default Kafka topic, id field and effect</caption>
 *   <tr><th>kind</th><th>topic</th><th>id field</th><th>effect</th></tr>
 *   <tr><td>{@link #ORDER_PLACED}</td><td>{@code orders}</td><td>{@code order_id}</td><td>available −= quantity
 *       (and, with a {@code reservation_id}, that hold is consumed)</td></tr>
 *   <tr><td>{@link #ORDER_CANCELLED}</td><td>{@code order_cancellations}</td><td>{@code order_id}</td>
 *       <td>available += quantity</td></tr>
 *   <tr><td>{@link #RETURN_RECEIVED}</td><td>{@code returns}</td><td>{@code return_id}</td>
 *       <td>available += quantity</td></tr>
 *   <tr><td>{@link #STOCK_RECEIVED}</td><td>{@code warehouse_receipts}</td><td>{@code receipt_id}</td>
 *       <td>available += quantity</td></tr>
 *   <tr><td>{@link #RESERVATION_HELD}</td><td>{@code reservations}, status {@code held}</td>
 *       <td>{@code reservation_id}</td><td>held += quantity</td></tr>
 *   <tr><td>{@link #RESERVATION_RELEASED}</td><td>{@code reservations}, status {@code released}</td>
 *       <td>{@code reservation_id}</td><td>the hold ends: held −= its quantity</td></tr>
 * </table>
 */
public enum EventKind {
    /** A customer placed an order line: available goes down. */
    ORDER_PLACED("orders", "order_id", -1),
    /** An order line was cancelled before shipment: available goes back up. */
    ORDER_CANCELLED("order_cancellations", "order_id", +1),
    /** A returned item arrived back at the warehouse: available goes up. */
    RETURN_RECEIVED("returns", "return_id", +1),
    /** New stock arrived at the warehouse: available goes up. */
    STOCK_RECEIVED("warehouse_receipts", "receipt_id", +1),
    /** Units were held for a checkout in flight: held goes up. */
    RESERVATION_HELD("reservations", "reservation_id", 0),
    /** A hold was given back: held goes down by the hold's quantity. */
    RESERVATION_RELEASED("reservations", "reservation_id", 0);

    private final String defaultTopic;
    private final String idField;
    private final int availableSign;

    EventKind(String defaultTopic, String idField, int availableSign) {
        this.defaultTopic = defaultTopic;
        this.idField = idField;
        this.availableSign = availableSign;
    }

    /** The Kafka topic this kind is read from unless configured otherwise (the article's topic names). */
    public String defaultTopic() {
        return defaultTopic;
    }

    /** The JSON field that carries this kind's id, e.g. {@code order_id}. */
    public String idField() {
        return idField;
    }

    /** +1 if the kind adds to available, −1 if it takes from it, 0 if it changes holds only. */
    public int availableSign() {
        return availableSign;
    }

    /** True for {@link #RESERVATION_HELD} and {@link #RESERVATION_RELEASED}. */
    public boolean isReservation() {
        return availableSign == 0;
    }
}
