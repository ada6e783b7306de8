package dev.inventoryledger.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability (the README, "Checkpoints: a restart loses nothing"): a process killed mid-checkpoint leaves its temporary file beside the
 * checkpoint; the next process's checkpoint removes it, so a process that keeps crashing does not fill the
 * disk with checkpoint-sized files. CrashRecoveryTest (inventory-kafka) shows it with real SIGKILLs.
 */
class CheckpointLeftoversTest {
    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aCheckpointRemovesTheTemporaryFilesAnEarlierProcessLeftAndNothingElse() throws IOException {
        Path file = dir.resolve("ledger.ckpt");
        FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        Path crashed = leftover("ledger.ckpt8142364023.tmp", anHourAgo);
        Path crashedToo = leftover("ledger.ckpt17963590059177902331.tmp", anHourAgo);
        leftover("ledger.ckpt555.tmp", null); // written just now: could be a write in progress in this JVM
        leftover("ledger.ckpt.backup.tmp", anHourAgo); // not a name the writer gives
        leftover("other.ckpt123.tmp", anHourAgo); // another checkpoint's
        InventoryLedger ledger = InventoryLedger.builder().build();
        ledger.apply(InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 10, T0));

        ledger.checkpoint(file, Map.of("orders:0", 1L));

        assertThat(files()).containsExactlyInAnyOrder("ledger.ckpt", "ledger.ckpt555.tmp", "ledger.ckpt.backup.tmp",
                "other.ckpt123.tmp");
        assertThat(crashed).doesNotExist();
        assertThat(crashedToo).doesNotExist();
        InventoryLedger restored = InventoryLedger.builder().build();
        assertThat(restored.restore(file)).isEqualTo(Map.of("orders:0", 1L));
        assertThat(restored.positions()).isEqualTo(ledger.positions());
    }

    private Path leftover(String name, FileTime modified) throws IOException {
        Path p = Files.write(dir.resolve(name), new byte[4096]);
        if (modified != null) {
            Files.setLastModifiedTime(p, modified);
        }
        return p;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }
}
