package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.ReservationLine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lines of a basket, or of the part of a hold a call names, summed per position. */
public final class PositionUnits {
    private PositionUnits() {
    }

    /**
     * Units per (product, warehouse — null for "any warehouse"), lines of one position summed (saturating), in
     * the order each position first appears.
     */
    public static Map<List<String>, Long> of(List<ReservationLine> lines) {
        Map<List<String>, Long> units = new LinkedHashMap<>();
        for (ReservationLine l : lines) {
            units.merge(Arrays.asList(l.productId(), l.warehouseId()), l.quantity(), Slot::saturatedAdd);
        }
        return units;
    }
}
