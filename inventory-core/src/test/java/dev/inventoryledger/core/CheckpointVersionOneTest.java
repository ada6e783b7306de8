package dev.inventoryledger.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint written by the last version-1 code (commit bc27065, before partial releases; the resource
 * {@code checkpoint-v1.ckpt} and the program that wrote it are described below) is still restored, and its
 * released lines count as released in whole.
 *
 * <p>The file holds SKU-1@WH-1 with a receipt of 100, an active in-process hold {@code cart-active} of 5
 * (15 minutes from 2026-11-25T12:00Z), {@code RES-rel} held 4 then released 4 by events, a {@code released}
 * of 3 for {@code RES-pre} with no held yet, and {@code cart-sold} of 2 confirmed as {@code ORD-sold}; offsets
 * {@code orders:0 = 7}.
 */
class CheckpointVersionOneTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    private InventoryLedger restored() throws IOException {
        Path file = dir.resolve("v1.ckpt");
        try (InputStream in = CheckpointVersionOneTest.class.getResourceAsStream("checkpoint-v1.ckpt")) {
            Files.copy(in, file);
        }
        InventoryLedger ledger = InventoryLedger.builder().clock(Clock.fixed(T.plusSeconds(60), ZoneOffset.UTC))
                .build();
        assertThat(ledger.restore(file)).isEqualTo(Map.of("orders:0", 7L));
        return ledger;
    }

    @Test
    void aVersionOneCheckpointRestoresItsCountsAndHolds() throws IOException {
        InventoryLedger ledger = restored();
        assertThat(ledger.position("SKU-1", "WH-1"))
                .isEqualTo(new Position("SKU-1", "WH-1", 98, 5, 0, 93, T));
        assertThat(ledger.audit().isClean()).isTrue();
        assertThat(ledger.release("RES-rel")).isEqualTo(HoldOutcome.ALREADY_RELEASED);
        assertThat(ledger.confirm("cart-sold", "ORD-sold")).isEqualTo(HoldOutcome.ALREADY_CONFIRMED);
        assertThat(ledger.release("cart-active", java.util.List.of(ReservationLine.of("SKU-1", "WH-1", 2))))
                .isEqualTo(HoldOutcome.RELEASED);
        assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(3);
        assertThat(ledger.extend("cart-active", Duration.ofMinutes(30))).isEqualTo(HoldOutcome.EXTENDED);
    }

    @Test
    void aReleaseBeforeItsHeldInVersionOneStillNetsWithTheHeld() throws IOException {
        InventoryLedger ledger = restored();
        assertThat(ledger.apply(InventoryEvent.reservationHeld("RES-pre", "SKU-1", "WH-1", 3, T)))
                .isEqualTo(ApplyOutcome.APPLIED);
        assertThat(ledger.held("SKU-1", "WH-1")).as("the late held nets with its release").isEqualTo(5);
    }

    @Test
    void aVersionOneReleasedLineCountsAsReleasedInWhole() throws IOException {
        InventoryLedger ledger = restored();
        // one more release of RES-rel (its own event_id, so not a duplicate): more than the hold ever had
        assertThat(ledger.apply(InventoryEvent.reservationReleased("RES-rel", "SKU-1", "WH-1", 1, T)
                .withEventId("another-release"))).isEqualTo(ApplyOutcome.CONFLICT);
        assertThat(ledger.held("SKU-1", "WH-1")).isEqualTo(5);
    }
}
