package dev.inventoryledger.examples;

import dev.inventoryledger.kafka.InventoryTopics;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * A Kafka broker for developing a shop against the library, with nothing installed: one KRaft node in this JVM
 * on {@code 127.0.0.1:9092} (or {@code --port}), with every topic the library uses created by
 * {@link InventoryTopics} ({@code --partitions}, default 4; the snapshot topic compacted). Point your own
 * program's {@code bootstrapServers} at the address it prints; stop it with Ctrl-C, which deletes its data. Not
 * for production: one node, no replication, gone when it stops.
 *
 * <pre>
 * java -cp examples/target/inventory-examples.jar dev.inventoryledger.examples.DevBroker [--port=9092] [--partitions=4]
 * </pre>
 */
public final class DevBroker {
    private DevBroker() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "dev-broker-stop"));
        System.exit(run(args, System.out, stop));
    }

    /** Starts the broker and the topics, prints the address, and runs until {@code stop} is counted down. */
    static int run(String[] args, PrintStream out, CountDownLatch stop) throws Exception {
        int port = 9092, partitions = 4;
        for (String a : args) {
            if (a.startsWith("--port=")) {
                port = Integer.parseInt(a.substring("--port=".length()));
            } else if (a.startsWith("--partitions=")) {
                partitions = Integer.parseInt(a.substring("--partitions=".length()));
            } else {
                out.println("usage: DevBroker [--port=9092] [--partitions=4]; unknown argument '" + a + "'");
                return 64;
            }
        }
        long began = System.nanoTime();
        try (LocalKafka kafka = LocalKafka.start(port)) {
            InventoryTopics.Report topics = InventoryTopics.builder().bootstrapServers(kafka.bootstrapServers())
                    .partitions(partitions).replicationFactor((short) 1).retention(Duration.ofDays(7))
                    .build().create();
            out.printf(Locale.ROOT, "Kafka %s broker at %s (bootstrapServers), started in %.1f s; topics %s, %d "
                            + "partitions each. Ctrl-C stops it and deletes its data.%n", AppInfoParser.getVersion(),
                    kafka.bootstrapServers(), (System.nanoTime() - began) / 1e9, String.join(", ", topics.created()),
                    partitions);
            out.flush();
            stop.await();
        }
        return 0;
    }
}
