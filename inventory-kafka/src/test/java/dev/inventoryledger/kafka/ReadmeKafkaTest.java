package dev.inventoryledger.kafka;

import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.ReservationResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's topic call and storefront snippet, as written there, on a real broker with the default names. */
class ReadmeKafkaTest {

    @Test
    void theReadmeStorefrontWiringWorksAndAnotherInstanceSeesTheSale() throws Exception {
        try (InProcessBroker broker = new InProcessBroker().start()) {
            String servers = broker.bootstrapServers();
            // ---- as in the README's "Topics"
            InventoryTopics.Report report = InventoryTopics.builder().bootstrapServers(servers)
                    .partitions(2).replicationFactor((short) 1).retention(Duration.ofDays(90))
                    .build().create();
            if (!report.problems().isEmpty()) throw new IllegalStateException(report.problems().toString());
            // ----
            assertThat(report.created()).hasSize(9);
            InventoryLedger other = InventoryLedger.builder().build();
            try (KafkaInventoryFeed otherFeed = KafkaInventoryFeed.builder().bootstrapServers(servers).ledger(other)
                    .startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
                otherFeed.start();
                broker.send("warehouse_receipts", "SKU-1", dev.inventoryledger.kafka.internal.EventCodec.encode(
                        InventoryEvent.stockReceived("RCPT-1", "SKU-1", "WH-1", 10, Instant.now())));

                // ---- as in the README
                InventoryLedger ledger = InventoryLedger.builder().build();
                InventoryEventPublisher publisher = InventoryEventPublisher.builder()
                        .bootstrapServers(servers).instanceId("storefront-1").build();
                publisher.start();
                ledger.addLocalEventListener(publisher);
                ledger.addListener(publisher.alertSink());
                KafkaInventoryFeed feed = KafkaInventoryFeed.builder()
                        .bootstrapServers(servers).instanceId("storefront-1").ledger(ledger)
                        .startFrom(KafkaInventoryFeed.Start.EARLIEST)
                        .build();
                feed.start();
                assertThat(ledger.available("SKU-1", "WH-1")).as("whole when start() returns").isEqualTo(10);

                ReservationResult r = ledger.tryReserve("SKU-1", "WH-1", 1, "cart-42", Duration.ofMinutes(15));
                if (r.accepted()) ledger.confirm("cart-42", "ORD-42");
                // ----

                assertThat(r.accepted()).isTrue();
                assertThat(InProcessBroker.await(() -> other.available("SKU-1", "WH-1") == 9
                        && other.held("SKU-1", "WH-1") == 0, Duration.ofSeconds(30))).isTrue();
                assertThat(ledger.available("SKU-1", "WH-1")).isEqualTo(9);
                feed.close();
                publisher.close();
                assertThat(broker.recordCount("low_stock_alerts")).isEqualTo(2); // back in stock (0 → 10), low (10 → 9)
            }
        }
    }
}
