package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's quick start and the issue's API names, compiled and run as written. */
class ReadmeQuickStartTest {

    @Test
    void readmeQuickStartRunsAsWritten() {
        InventoryLedger ledger = InventoryLedger.builder().build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, Instant.now()));
        ledger.apply(InventoryEvent.orderPlaced("ORD-1", "SKU-1", "WH-1", 3, Instant.now()));

        long sellable = ledger.sellable("SKU-1", "WH-1");               // 97
        ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 2, "cart-42", Duration.ofMinutes(15));
        if (r.accepted()) {
            ledger.confirm("cart-42", "ORD-9");                         // held -> sold, atomically
        }

        assertThat(sellable).isEqualTo(97);
        assertThat(r.accepted()).isTrue();
        assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(95);
        assertThat(ledger.held("SKU-1", "WH-1")).isZero();
    }

    @Test
    void issueApiNamesCompileAsWritten() {
        Clock clock = new ManualClock();
        MeterRegistry registry = new SimpleMeterRegistry();
        InventoryLedger ledger = InventoryLedger.builder().clock(clock).meterRegistry(registry).build();
        ApplyOutcome o = ledger.apply(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 100, Instant.now()));
        // also orderPlaced, orderCancelled, returnReceived, reservationHeld, reservationReleased
        long s = ledger.sellable("SKU-1", "WH-1");          // available(..), held(..), sellable("SKU-1") too
        ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 2, "cart-42", Duration.ofMinutes(15));
        if (r.accepted()) ledger.confirm("cart-42", "ORD-9"); else ledger.release("cart-42");

        assertThat(o).isEqualTo(ApplyOutcome.APPLIED);
        assertThat(s).isEqualTo(100);
        assertThat(ledger.sellable("SKU-1")).isEqualTo(98);
        assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(98);
        assertThat(ledger.held("SKU-1", "WH-1")).isZero();
    }
}
