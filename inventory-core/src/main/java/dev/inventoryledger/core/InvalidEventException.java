package dev.inventoryledger.core;

/**
 * Thrown when an event, or an argument of a ledger call, is refused. The message names the field and the
 * value, e.g. {@code quantity must be > 0 but was -3 (order ORD-7, product SKU-1)}. A refused event or call
 * changes nothing.
 */
public final class InvalidEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final transient Object value;

    /**
     * @param field   the name of the refused field, as in the JSON schema (e.g. {@code quantity})
     * @param value   the refused value (may be null)
     * @param message the full message, naming the field and the value
     */
    public InvalidEventException(String field, Object value, String message) {
        super(message);
        this.field = field;
        this.value = value;
    }

    /** The refused field, e.g. {@code product_id}. */
    public String field() {
        return field;
    }

    /** The refused value, or null when the field was missing. */
    public Object value() {
        return value;
    }
}
