package dev.inventoryledger.core.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The ledger's whole state as a checkpoint holds it: {@link #capture} copies it out (every product held
 * still by its read lock for as long as the copy takes), {@link #install} loads a verified one into an empty
 * ledger. The two sit together so that what is written and what is read back stay one list of fields; the
 * bytes are {@link CheckpointFile}'s.
 */
public final class CheckpointImage extends LedgerOperation {
    public CheckpointImage(Services services) {
        super(services);
    }

    /**
     * Writes the state and {@code offsets} to {@code file}: copied under the products' read locks (point
     * reads go on; writers wait for the copy only), then encoded and written with no lock held.
     *
     * @return the checkpoint's size in bytes
     */
    public long write(Path file, Map<String, Long> offsets) throws IOException {
        CheckpointFile.Contents captured;
        try (ProductDirectory.Frozen frozen = products.freezeAll()) {
            captured = capture(frozen.products(), offsets, ps -> true); // every product known is held still
        }
        CheckpointFile.Chunks bytes = CheckpointFile.serialize(captured); // no lock held from here
        CheckpointFile.write(file, bytes);
        return bytes.size();
    }

    /**
     * The state of some parts of the ledger, each with its offsets, copied under their products' read locks in
     * one pass (the rest of the ledger goes on): {@code partOf} says which part a product belongs to (such as its
     * Kafka partition; one of {@code partCount}, remembered per product), and only the parts named in
     * {@code offsetsByPart} are captured. Reservations keep, in
     * each part, only their lines of that part's products.
     */
    public Map<Integer, CheckpointFile.Contents> capture(ToIntFunction<String> partOf, int partCount,
                                                         Map<Integer, Map<String, Long>> offsetsByPart) {
        Map<Integer, CheckpointFile.Contents> parts = new java.util.HashMap<>();
        offsetsByPart.forEach((part, offsets) -> {
            try (ProductDirectory.Frozen frozen = products.freezePart(part, partCount, partOf)) {
                parts.put(part, capture(frozen.products(), offsets, reservations.isEmpty() ? ps -> false
                        : lockedIn(frozen.products()))); // a product made since the freeze is not in it
            }
        });
        return parts;
    }

    private static java.util.function.Predicate<ProductState> lockedIn(ProductState[] locked) {
        Set<ProductState> set = Collections.newSetFromMap(new IdentityHashMap<>(locked.length * 2));
        Collections.addAll(set, locked);
        return set::contains;
    }

    /**
     * Copies the state into plain records; the caller holds every listed product's lock, and {@code included}
     * says which products those are (their lines are kept; a product made after they were listed is not in the
     * checkpoint). Reservations go in the order a restore must add them, so that it forgets ended ones in the same
     * order.
     */
    private CheckpointFile.Contents capture(ProductState[] locked, Map<String, Long> offsets,
                                            java.util.function.Predicate<ProductState> included) {
        List<CheckpointFile.ProductData> productData = new ArrayList<>(locked.length);
        for (ProductState ps : locked) {
            Slot[] slots = ps.slots();
            List<CheckpointFile.SlotData> slotData = new ArrayList<>(slots.length);
            for (Slot s : slots) {
                slotData.add(new CheckpointFile.SlotData(s.warehouseId, s.available, s.held, s.lastUpdatedMicros,
                        s.safetyStock, (int) ps.lowStockThreshold(s, -1)));
            }
            productData.add(new CheckpointFile.ProductData(ps.productId, ps.backorderLimit(), slotData,
                    ps.identityEntries(), ps.identitiesForgottenSeconds()));
        }
        List<CheckpointFile.ReservationData> reservationData = new ArrayList<>();
        if (!reservations.isEmpty()) {
            for (Reservation r : reservations.inRetirementOrder()) {
                List<CheckpointFile.LineData> lines = new ArrayList<>(1);
                for (HoldLine l : r.lines()) {
                    if (included.test(l.product)) {
                        lines.add(new CheckpointFile.LineData(l.productId(), l.warehouseId(), l.state, l.quantity,
                                l.released, l.expiresAtNanos, l.orderId));
                    }
                }
                if (!lines.isEmpty()) {
                    reservationData.add(new CheckpointFile.ReservationData(r.id, lines));
                }
            }
        }
        return new CheckpointFile.Contents(Times.micros(clock.instant()), offsets, productData, reservationData);
    }

    /**
     * Loads a verified checkpoint into this ledger, which must hold nothing yet; no product is made by another
     * thread meanwhile, so a checkpoint taken during the load waits for the whole of it.
     *
     * @throws IllegalStateException if the ledger already holds state
     */
    public void install(CheckpointFile.Contents c) {
        products.whileGated(() -> {
            if (!products.isEmpty() || !reservations.isEmpty()) {
                throw new IllegalStateException("restore needs a new, empty ledger but this one has "
                        + products.size() + " products");
            }
            for (CheckpointFile.ProductData pd : c.products()) {
                installProduct(pd);
            }
            for (CheckpointFile.ReservationData rd : c.reservations()) {
                installReservation(rd);
            }
        });
    }

    /**
     * Loads several parts of a state (disjoint sets of products, such as one snapshot per Kafka partition) into
     * this empty ledger as one: a reservation whose lines lie in several parts gets all of them.
     *
     * @throws IllegalStateException if the ledger already holds state, or a product is in two parts
     */
    public void install(List<CheckpointFile.Contents> parts) {
        install(CheckpointFile.merge(parts));
    }

    private void installProduct(CheckpointFile.ProductData pd) {
        ProductState ps = products.productWhileGated(pd.productId());
        long stamp = ps.writeLock();
        try {
            ps.setBackorderLimit(pd.backorderLimit());
            for (CheckpointFile.SlotData sd : pd.slots()) {
                Slot s = products.slot(ps, sd.warehouseId());
                ps.restore(s, sd.available(), sd.held(), sd.lastUpdatedMicros(), sd.safetyStock());
                if (sd.threshold() >= 0) {
                    ps.setLowStockThreshold(s, sd.threshold());
                }
            }
            identities.restore(ps, pd.identities(), pd.forgottenSeconds());
        } finally {
            ps.unlockWrite(stamp);
        }
    }

    private void installReservation(CheckpointFile.ReservationData rd) {
        Reservation r = holds.restoreReservation(rd.id());
        for (CheckpointFile.LineData ld : rd.lines()) {
            ProductState ps = products.get(ld.productId());
            long stamp = ps.writeLock();
            try {
                holds.restoreLine(r, ps, ps.find(ld.warehouseId()), ld.state(), ld.quantity(), ld.released(),
                        ld.expiresAtNanos(), ld.orderId());
            } finally {
                ps.unlockWrite(stamp);
            }
        }
    }
}
