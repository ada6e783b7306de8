package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;

/**
 * Event identities and payload fingerprints as the ledger remembers them (128-bit identity, 64-bit
 * payload). Stable across releases: checkpoints keep these hashes, so nothing here may depend on enum
 * order or on anything but the fields named.
 */
public final class Identities {
    private Identities() {
    }

    /**
     * A stable number per kind for identity hashes: never the enum's ordinal, so that adding or reordering
     * kinds cannot change the identity of a stored event (checkpoints will keep these hashes).
     */
    public static int tag(EventKind kind) {
        return switch (kind) {
            case ORDER_PLACED -> 1;
            case ORDER_CANCELLED -> 2;
            case RETURN_RECEIVED -> 3;
            case STOCK_RECEIVED -> 4;
            case RESERVATION_HELD -> 5;
            case RESERVATION_RELEASED -> 6;
        };
    }

    public static IdentityHash of(InventoryEvent e) {
        IdentityHash h = new IdentityHash();
        if (e.eventId() != null) {
            return h.start(-1).add(e.eventId()).finish();
        }
        return h.start(tag(e.kind())).add(e.id()).add(e.productId()).add(e.warehouseId()).finish();
    }

    public static IdentityHash order(String orderId, String productId, String warehouseId) {
        return new IdentityHash().start(tag(EventKind.ORDER_PLACED)).add(orderId).add(productId).add(warehouseId)
                .finish();
    }

    public static IdentityHash reservation(EventKind kind, String reservationId, String productId,
                                                    String warehouseId) {
        return new IdentityHash().start(tag(kind)).add(reservationId).add(productId).add(warehouseId).finish();
    }

    public static long fingerprint(InventoryEvent e) {
        IdentityHash h = new IdentityHash().start(7).add(e.quantity())
                .add(e.kind() == EventKind.ORDER_PLACED ? e.reservationId() : null);
        if (e.eventId() != null) {
            h.add(tag(e.kind())).add(e.id()).add(e.warehouseId());
        }
        return h.finish().lo;
    }

    public static long fingerprint(long quantity, String orderReservationId) {
        return new IdentityHash().start(7).add(quantity).add(orderReservationId).finish().lo;
    }

    /**
     * The {@code event_id} of a {@code released} event the ledger publishes for a line whose plain release
     * identity (kind, reservation, product, warehouse) is taken by an earlier release: readable when it fits in
     * {@link Checks#MAX_ID_LENGTH} characters, else a hash of the same fields. {@code what} tells this release
     * from the line's others (e.g. {@code released-5}: the units released once it is counted).
     */
    public static String releaseEventId(String reservationId, String warehouseId, String what) {
        String id = reservationId + "@" + warehouseId + "#" + what;
        if (id.length() <= Checks.MAX_ID_LENGTH) {
            return id;
        }
        IdentityHash h = new IdentityHash().start(11).add(reservationId).add(warehouseId).add(what).finish();
        return "release-" + Long.toHexString(h.hi) + "-" + Long.toHexString(h.lo);
    }
}
