package dev.inventoryledger.bench;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;

import java.time.Duration;

/**
 * The ledger as a storefront embeds it: {@code InventoryLedger.builder().build()}, its defaults (1,024
 * identities remembered per product, the system clock, no meter registry, no listeners). One ledger for all
 * threads; a session is the ledger itself.
 */
final class LedgerPeer implements Peer.Shared {
    /** How long a checkout's hold lasts. */
    static final Duration HOLD = Duration.ofMinutes(15);

    private final InventoryLedger ledger = InventoryLedger.builder().build();

    @Override
    public void load(Store store) {
        for (int p = 0; p < store.productCount(); p++) {
            for (int w = 0; w < store.warehouseCount(); w++) {
                ledger.apply(store.openingReceipt(p, w));
            }
        }
    }

    @Override
    public boolean deduplicates() {
        return true;
    }

    @Override
    public long sellable(String product, String warehouse) {
        return ledger.sellable(product, warehouse);
    }

    @Override
    public int apply(InventoryEvent event) {
        return ledger.apply(event).ordinal();
    }

    @Override
    public boolean tryReserve(String product, String warehouse, long quantity, String reservationId) {
        return ledger.tryReserve(product, warehouse, quantity, reservationId, HOLD).accepted();
    }

    @Override
    public boolean confirm(String product, String warehouse, long quantity, String reservationId, String orderId) {
        return ledger.confirm(reservationId, orderId) == HoldOutcome.CONFIRMED;
    }

    @Override
    public boolean release(String product, String warehouse, long quantity, String reservationId) {
        return ledger.release(reservationId) == HoldOutcome.RELEASED;
    }
}
