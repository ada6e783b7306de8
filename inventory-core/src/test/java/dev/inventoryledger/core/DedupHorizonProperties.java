package dev.inventoryledger.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "History is finite" (the dedup horizon): histories of receipts over three products whose event times wander forward
 * (and sometimes back), with redeliveries of earlier events at their own times, applied to a ledger with a
 * 100-second horizon. Whatever the sequence:
 * <ul>
 *   <li>nothing is ever counted twice: an identity applied once is never {@code APPLIED} again, and the counts
 *       are the sums over the identities applied;</li>
 *   <li>a redelivery whose time is within the horizon of its product's clock (the newest event time it has seen)
 *       counts once: {@code DUPLICATE}, however many events came between (unless the memory bound forced early
 *       forgetting);</li>
 *   <li>a new event within the horizon of its product's clock is applied, never refused as late.</li>
 * </ul>
 */
class DedupHorizonProperties {
    private static final Instant T0 = Instant.parse("2026-03-14T10:00:00Z");
    private static final long HORIZON = 100;

    @Property(tries = 300)
    void nothingCountsTwiceAndTheHorizonIsKept(
            @ForAll @Size(min = 1, max = 2_500) List<@IntRange(min = 0, max = 999) Integer> steps,
            @ForAll boolean tightMemory) {
        InventoryLedger ledger = InventoryLedger.builder().dedupHorizon(Duration.ofSeconds(HORIZON))
                .maxRememberedIdentities(tightMemory ? 1_000 : 1_000_000).build();
        Map<String, Long> appliedAt = new HashMap<>(); // identity (id) -> event time applied, seconds
        Map<String, Long> clock = new HashMap<>(); // product -> newest event time seen, seconds
        Map<String, Long> counted = new HashMap<>();
        long now = 0;
        int made = 0;
        for (int step : steps) {
            String product = "SKU-" + step % 3;
            String id;
            long at;
            if (step < 700 || appliedAt.isEmpty()) { // a new event; time moves by -5 .. +25 s
                now = Math.max(0, now + (step % 31) - 5);
                id = "RCPT-" + made++ + "-" + product;
                at = now;
            } else { // a redelivery of an earlier event, at its own time
                id = "RCPT-" + (step * 7919) % made + "-";
                String found = null;
                for (int p = 0; p < 3 && found == null; p++) {
                    found = appliedAt.containsKey(id + "SKU-" + p) ? id + "SKU-" + p : null;
                }
                if (found == null) {
                    continue;
                }
                id = found;
                product = found.substring(found.indexOf("SKU-"));
                at = appliedAt.get(found);
            }
            long productClock = clock.getOrDefault(product, Long.MIN_VALUE / 2);
            ApplyOutcome o = ledger.apply(InventoryEvent.stockReceived(id, product, "WH-1", 1, T0.plusSeconds(at)));
            if (appliedAt.containsKey(id)) {
                assertThat(o).as("a redelivery of %s is never applied again", id).isNotEqualTo(ApplyOutcome.APPLIED);
                if (!tightMemory && at >= productClock - HORIZON) {
                    assertThat(o).as("%s at %s, within the horizon of %s", id, at, productClock)
                            .isEqualTo(ApplyOutcome.DUPLICATE);
                }
            } else {
                if (at >= productClock - HORIZON) {
                    assertThat(o).as("new %s at %s, within the horizon of %s", id, at, productClock)
                            .isEqualTo(ApplyOutcome.APPLIED);
                }
                if (o == ApplyOutcome.APPLIED) {
                    appliedAt.put(id, at);
                    counted.merge(product, 1L, Long::sum);
                    clock.merge(product, at, Math::max);
                }
            }
        }
        for (int p = 0; p < 3; p++) {
            assertThat(ledger.available("SKU-" + p, "WH-1")).isEqualTo(counted.getOrDefault("SKU-" + p, 0L));
        }
    }
}
