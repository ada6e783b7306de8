package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The development broker: it prints an address where a feed with the default topic names starts at once. */
class DevBrokerTest {
    @Test
    void aFeedWithTheDefaultTopicsStartsAgainstTheAddressItPrints() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        int[] status = {-1};
        Thread broker = new Thread(() -> {
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                status[0] = DevBroker.run(new String[]{"--port=0", "--partitions=2"}, out, stop);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        broker.start();
        Pattern address = Pattern.compile("broker at (127\\.0\\.0\\.1:\\d+) \\(bootstrapServers\\)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Matcher m = address.matcher("");
        while (System.nanoTime() < deadline && !(m = address.matcher(bytes.toString(StandardCharsets.UTF_8))).find()) {
            Thread.sleep(50);
        }
        assertThat(m.find(0)).as(bytes.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("inventory_snapshots").contains("2 partitions each");
        try (KafkaInventoryFeed feed = KafkaInventoryFeed.builder().bootstrapServers(m.group(1))
                .ledger(InventoryLedger.builder().build()).startFrom(KafkaInventoryFeed.Start.EARLIEST).build()) {
            feed.start();
            assertThat(feed.status().start()).hasSize(10);
        }
        stop.countDown();
        broker.join(60_000);
        assertThat(status[0]).isZero();
    }
}
