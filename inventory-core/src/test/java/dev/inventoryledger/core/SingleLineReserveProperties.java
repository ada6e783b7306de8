package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-line {@code tryReserve(product, warehouse, …)} has a fast path of its own; a basket of one line
 * goes through the general basket planner. Both must decide every call the same way. Two ledgers get the
 * same random history (stock, holds from both forms' ids, repeats, confirms, releases, held events from
 * outside, backorder limits, safety stock, time passing); one reserves with the single-line form, the other
 * with a one-line basket. Every result and the final state must be equal.
 */
class SingleLineReserveProperties {
    private static final String[] PRODUCTS = {"SKU-1", "SKU-2"};
    private static final String[] WAREHOUSES = {"WH-1", "WH-2", "WH-NEW"};

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void singleLineFormDecidesAsABasketOfOne(@ForAll("histories") List<int[]> steps) {
        ManualClock clockA = new ManualClock();
        ManualClock clockB = new ManualClock();
        InventoryLedger single = InventoryLedger.builder().clock(clockA).build();
        InventoryLedger basket = InventoryLedger.builder().clock(clockB).build();
        for (int i = 0; i < PRODUCTS.length; i++) {
            for (int w = 0; w < 2; w++) {
                InventoryEvent e = InventoryEvent.stockReceived("R" + i + w, PRODUCTS[i], WAREHOUSES[w], 3,
                        clockA.instant());
                single.apply(e);
                basket.apply(e);
            }
        }
        int step = 0;
        for (int[] s : steps) {
            step++;
            String p = PRODUCTS[s[1] % PRODUCTS.length];
            String w = WAREHOUSES[s[2] % WAREHOUSES.length];
            String id = "H" + (s[3] % 6);
            long q = 1 + s[4] % 4;
            String where = "step " + step + " " + Arrays.toString(s);
            switch (s[0]) {
                case 0, 1, 2 -> {
                    Duration ttl = Duration.ofSeconds(1 + s[4] % 3);
                    ReservationResult a = single.tryReserve(p, w, q, id, ttl);
                    ReservationResult b = basket.tryReserve(id, List.of(ReservationLine.of(p, w, q)), ttl);
                    assertThat(a).as(where).isEqualTo(b);
                }
                case 3 -> assertThat(single.confirm(id, "O" + id)).as(where).isEqualTo(basket.confirm(id, "O" + id));
                case 4 -> assertThat(single.release(id)).as(where).isEqualTo(basket.release(id));
                case 5 -> {
                    InventoryEvent e = InventoryEvent.stockReceived("R" + step, p, w, q, clockA.instant());
                    assertThat(single.apply(e)).as(where).isEqualTo(basket.apply(e));
                }
                case 6 -> {
                    InventoryEvent e = InventoryEvent.reservationHeld(id, p, w, q, clockA.instant())
                            .withExpiresAt(clockA.instant().plusSeconds(2));
                    assertThat(single.apply(e)).as(where).isEqualTo(basket.apply(e));
                }
                case 7 -> {
                    clockA.advance(Duration.ofMillis(700));
                    clockB.advance(Duration.ofMillis(700));
                }
                case 8 -> {
                    single.setBackorderLimit(p, s[4] % 3);
                    basket.setBackorderLimit(p, s[4] % 3);
                }
                default -> {
                    single.setSafetyStock(p, w, s[4] % 2);
                    basket.setSafetyStock(p, w, s[4] % 2);
                }
            }
        }
        assertThat(single.positions()).isEqualTo(basket.positions());
        assertThat(single.activeHolds()).isEqualTo(basket.activeHolds());
        assertThat(single.audit().isClean()).isTrue();
        assertThat(basket.audit().isClean()).isTrue();
    }

    @Provide
    Arbitrary<List<int[]>> histories() {
        Arbitrary<int[]> step = Arbitraries.integers().between(0, 1 << 16).array(int[].class).ofSize(5)
                .map(s -> {
                    s[0] %= 10;
                    return s;
                });
        return step.list().ofMinSize(1).ofMaxSize(60);
    }
}
