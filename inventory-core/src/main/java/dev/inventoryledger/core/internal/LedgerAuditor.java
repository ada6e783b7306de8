package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.LedgerAudit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the ledger against itself: every position's held counter against the sum of its active holds, with
 * every product's write lock taken at once (in lock order) so that the picture is consistent.
 */
public final class LedgerAuditor extends LedgerOperation {
    public LedgerAuditor(Services services) {
        super(services);
    }

    /** See {@code InventoryLedger.audit()}. */
    public LedgerAudit audit() {
        ProductState[] all = products.allInLockOrder();
        long now = nowNanos();
        long[] stamps = ProductDirectory.writeLockAll(all);
        try {
            for (ProductState ps : all) {
                holds.lapseDue(ps, now); // a hold due now is not active
            }
            Map<Slot, long[]> byHolds = new HashMap<>();
            long active = 0;
            for (Reservation r : reservations.all()) {
                for (HoldLine l : r.lines()) {
                    if (l.state == HoldLine.ACTIVE) {
                        byHolds.computeIfAbsent(l.slot, k -> new long[1])[0] += l.units();
                        active++;
                    }
                }
            }
            List<LedgerAudit.Discrepancy> found = new ArrayList<>();
            long positions = 0;
            for (ProductState ps : all) {
                for (Slot s : ps.slots()) {
                    positions++;
                    long[] sum = byHolds.get(s);
                    long expected = sum == null ? 0 : sum[0];
                    if (s.held != expected) {
                        found.add(new LedgerAudit.Discrepancy(ps.productId, s.warehouseId, s.held, expected));
                    }
                }
            }
            metrics.auditFound(found.size());
            return new LedgerAudit(positions, active, found);
        } finally {
            ProductDirectory.unlockAllWrite(all, stamps);
        }
    }
}
