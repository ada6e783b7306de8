package dev.inventoryledger.bench.kafka;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The end-to-end harness, tiny: a real broker, a small backlog, every consumer and both Streams shapes, and
 * a short latency run of each, so that a harness that breaks fails the build. The figures mean nothing here
 * (BENCHMARKS.md has the real run); what is asserted is that every path ran, read everything, and agreed
 * with the events published (the harness compares every ledger and table with their sums).
 */
class KafkaEndToEndSmokeTest {

    @Test
    void everyPathRunsAndAgreesWithThePublishedEvents() throws Exception {
        Settings s = Settings.parse("--events", "5000", "--products", "200", "--warehouses", "5", "--rounds", "1",
                "--raw-compare", "1000", "--rate", "1000", "--warmup-seconds", "0", "--latency-seconds", "1",
                "--probe-every", "10");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        KafkaEndToEnd.Report r = KafkaEndToEnd.run(s, new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(r.publishing()).hasSize(2).allSatisfy(p -> assertThat(p.perSecond()).isPositive());
        assertThat(r.throughput()).extracting(Throughput.Rate::name).containsExactly(
                "bare KafkaConsumer (poll only)", "KafkaConsumer + decode (feed's codec)",
                "KafkaConsumer + decode + apply (no feed)", "KafkaInventoryFeed -> InventoryLedger",
                "Kafka Streams dsl-memory", "Kafka Streams processor-memory");
        assertThat(r.throughput()).allSatisfy(t -> {
            assertThat(t.events()).isEqualTo(5000);
            assertThat(t.perSecond()).isPositive();
        });
        assertThat(r.throughput()).filteredOn(t -> !t.name().startsWith("bare") && !t.name().contains("decode (")
                ).allSatisfy(t -> assertThat(t.checked()).isEqualTo("1000 positions equal"));
        assertThat(r.latency()).hasSize(3).allSatisfy(l -> {
            assertThat(l.samples()).isEqualTo(100);
            assertThat(l.p50()).isPositive().isLessThanOrEqualTo(l.p99());
        });

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        KafkaEndToEnd.print(r, s, new PrintStream(table, true, StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8))
                .contains("| KafkaInventoryFeed -> InventoryLedger |", "| KafkaInventoryFeed -> ledger.sellable |",
                        "| Kafka Streams processor-memory -> interactive query |");
    }

    @Test
    void refusesAnUnknownOptionNamingIt() {
        assertThatThrownBy(() -> Settings.parse("--evnts", "10")).hasMessageContaining("unknown option --evnts");
        assertThatThrownBy(() -> Settings.parse("--streams", "dsl-disk")).hasMessageContaining("dsl-disk");
        assertThatThrownBy(() -> Settings.parse("--rate", "0")).hasMessageContaining("--rate must be > 0 but was 0");
    }
}
