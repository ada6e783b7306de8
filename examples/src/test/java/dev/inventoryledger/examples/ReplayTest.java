package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the replay tool prints, for small files written out in full; {@link ReplayMatchesSqlProperties}
 * checks generated files against SQL.
 */
class ReplayTest {
    private static final String HEADER =
            "product_id,warehouse_id,available_quantity,held_quantity,sellable_quantity,last_updated_at\n";

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------ the file and the CSV

    @Test
    void everyTopicIsAppliedAndPositionsArePrintedSortedByProductThenWarehouse() throws IOException {
        Path file = file("""
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-2","warehouse_id":"WH-B","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"warehouse_receipts","receipt_id":"RCPT-2","product_id":"SKU-2","warehouse_id":"WH-A","quantity":5,"event_time":"2026-03-14T09:00:00.5Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-2","warehouse_id":"WH-B","quantity":4,"event_time":"2026-03-14T10:00:00+02:00"}
                {"topic":"order_cancellations","order_id":"ORD-1","product_id":"SKU-2","warehouse_id":"WH-B","quantity":1,"event_time":"2026-03-14T09:30:00Z"}
                {"topic":"returns","return_id":"RET-1","product_id":"SKU-1","warehouse_id":"WH-A","quantity":2,"event_time":"2026-03-14T09:10:00Z"}
                {"event_time":"2026-03-14T09:20:00Z","status":"held","quantity":3,"warehouse_id":"WH-B","product_id":"SKU-2","reservation_id":"cart-1","topic":"reservations","source":{"app":"pos","tags":[1,2]}}
                {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1, \\"large\\"","warehouse_id":"WH-A","quantity":1,"status":"held","event_time":"2026-03-14T09:40:00Z"}
                """);

        ReplayRun run = ReplayRun.of(file.toString());

        assertThat(run.out()).isEqualTo(HEADER + """
                SKU-1,WH-A,2,0,2,2026-03-14T09:10:00Z
                "SKU-1, ""large""\",WH-A,0,1,-1,2026-03-14T09:40:00Z
                SKU-2,WH-A,5,0,5,2026-03-14T09:00:00.500Z
                SKU-2,WH-B,7,3,4,2026-03-14T09:30:00Z
                """);
        assertThat(run.err()).containsExactly("replayed 7 lines as of 2026-03-14T09:40:00Z (the latest event time): "
                + "applied 7, duplicates 0, conflicts 0, skipped 0");
        assertThat(run.status()).isZero();
    }

    @Test
    void aRedeliveryCountsOnceAndOfTwoLinesWithOneIdentityTheFirstStands() throws IOException {
        Path file = file("""
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:05:00Z"}
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":100,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_id":"evt-9","event_time":"2026-03-14T09:10:00Z"}
                {"topic":"returns","return_id":"RET-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_id":"evt-9","event_time":"2026-03-14T09:11:00Z"}
                """);

        ReplayRun run = ReplayRun.of(file.toString());

        assertThat(run.out()).as("a redelivery, also with another event time, is a duplicate; the later time "
                + "does not show").isEqualTo(HEADER + "SKU-1,WH-1,8,0,8,2026-03-14T09:10:00Z\n");
        assertThat(run.err()).containsExactly(
                "line 4: conflict: an earlier line has this event's identity with another payload; the first stands",
                "line 6: conflict: an earlier line has this event's identity with another payload; the first stands",
                "replayed 6 lines as of 2026-03-14T09:11:00Z (the latest event time): applied 2, duplicates 2, "
                        + "conflicts 2, skipped 0");
        assertThat(run.status()).as("a conflict is reported, not an error").isZero();
    }

    @Test
    void aMalformedLineIsReportedByNumberAndSkippedAndTheOthersAreStillApplied() throws IOException {
        Path file = file("""
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                this is not json

                {"topic":"shipments","shipment_id":"S-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"reservations","reservation_id":"cart-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"status":"confirmed","event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"returns","return_id":" ","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":0,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":-3,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2.5,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":"2","event_time":"2026-03-14T09:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_time":"yesterday"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_time":"2026-03-14T09:00:00"}
                {"order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_time":"2026-03-14T09:00:00Z"}
                [{"topic":"orders"}]
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1",
                {"topic":42,"order_id":"ORD-1"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"event_time":"2026-03-14T10:00:00Z"}
                {"topic":"warehouse_receipts","receipt_id":"RCPT-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":9223372036854775807,"event_time":"2026-03-14T09:30:00Z"}
                {"topic":"orders","order_id":"ORD-3","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T09:40:00Z","expires_at":"2026-03-14T12:00:00Z"}
                """);

        ReplayRun run = ReplayRun.of(file.toString());

        assertThat(run.out()).isEqualTo(HEADER + "SKU-1,WH-1,8,0,8,2026-03-14T10:00:00Z\n");
        assertThat(run.err()).containsExactly(
                "line 2: not valid JSON: Unrecognized token 'this': was expecting (JSON String, Number, Array, "
                        + "Object or token 'null', 'true' or 'false')",
                "line 4: topic must be one of orders, order_cancellations, returns, warehouse_receipts, reservations"
                        + " but was 'shipments'",
                "line 5: status must be held or released but was 'confirmed'",
                "line 6: order_id must be given but was null (ORDER_PLACED)",
                "line 7: return_id must not be blank but was ' ' (RETURN_RECEIVED)",
                "line 8: quantity must be > 0 but was 0 (order_id ORD-1, product SKU-1)",
                "line 9: quantity must be > 0 but was -3 (order_id ORD-1, product SKU-1)",
                "line 10: quantity must be a whole number but was number_float 2.5",
                "line 11: quantity must be a whole number but was string 2",
                "line 12: event_time must be an ISO-8601 instant with an offset or Z but was 'yesterday'",
                "line 13: event_time must be an ISO-8601 instant with an offset or Z but was '2026-03-14T09:00:00'",
                "line 14: topic is missing",
                "line 15: not a JSON object",
                "line 16: not valid JSON: Unexpected end-of-input within/between Object entries",
                "line 17: topic must be a string but was 42",
                "line 19: quantity 9223372036854775807 would overflow available (8) of product SKU-1 at WH-1 "
                        + "(receipt_id RCPT-2)",
                "line 20: expires_at is allowed on held reservations only but was 2026-03-14T12:00:00Z on "
                        + "ORDER_PLACED (order_id ORD-3, product SKU-1)",
                "replayed 19 lines as of 2026-03-14T10:00:00Z (the latest event time): applied 2, duplicates 0, "
                        + "conflicts 0, skipped 17");
        assertThat(run.status()).isEqualTo(Replay.EXIT_SKIPPED);
    }

    @Test
    void aFileWithNoEventPrintsTheHeaderOnly() throws IOException {
        ReplayRun run = ReplayRun.of(file("\n  \n").toString());

        assertThat(run.out()).isEqualTo(HEADER);
        assertThat(run.err()).containsExactly("replayed 0 lines: applied 0, duplicates 0, conflicts 0, skipped 0");
        assertThat(run.status()).isZero();
    }

    // ------------------------------------------------------------------------------------ as of an instant

    /** Stock at 09:00, an order at 10:00, a hold at 10:30 that expires at 11:00, another at 11:30. */
    private static final String DAY = """
            {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
            {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T10:00:00Z"}
            {"topic":"reservations","reservation_id":"cart-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"status":"held","event_time":"2026-03-14T10:30:00Z","expires_at":"2026-03-14T11:00:00Z"}
            {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":3,"status":"held","event_time":"2026-03-14T11:30:00Z"}
            """;

    @ParameterizedTest(name = "--as-of {0}")
    @CsvSource(delimiter = '|', textBlock = """
            2026-03-14T08:59:59.999Z | 0 |
            2026-03-14T09:00:00Z     | 1 | SKU-1,WH-1,10,0,10,2026-03-14T09:00:00Z
            2026-03-14T11:00:00+01:00| 2 | SKU-1,WH-1,9,0,9,2026-03-14T10:00:00Z
            2026-03-14T10:59:59.999Z | 3 | SKU-1,WH-1,9,2,7,2026-03-14T10:30:00Z
            2026-03-14T11:00:00Z     | 3 | SKU-1,WH-1,9,0,9,2026-03-14T10:30:00Z
            2026-03-14T12:00:00Z     | 4 | SKU-1,WH-1,9,3,6,2026-03-14T11:30:00Z
            """)
    void asOfAppliesTheEventsAtOrBeforeTheInstantAndLapsesHoldsThatExpireAtOrBeforeIt(String asOf, int applied,
                                                                                       String row) throws IOException {
        ReplayRun run = ReplayRun.of("--as-of", asOf, file(DAY).toString());

        assertThat(run.out()).isEqualTo(HEADER + (row == null ? "" : row + "\n"));
        assertThat(run.summary()).endsWith(": applied " + applied + ", duplicates 0, conflicts 0, after as-of "
                + (4 - applied) + ", skipped 0");
        assertThat(run.status()).isZero();
    }

    @Test
    void withoutAsOfHoldsLapseAtTheLatestEventTime() throws IOException {
        Path file = file(DAY + """
                {"topic":"reservations","reservation_id":"cart-3","product_id":"SKU-1","warehouse_id":"WH-1","quantity":4,"status":"held","event_time":"2026-03-14T11:40:00Z","expires_at":"2026-03-14T12:00:00Z"}
                {"topic":"returns","return_id":"RET-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":1,"event_time":"2026-03-14T12:00:00Z"}
                """);

        ReplayRun run = ReplayRun.of(file.toString());

        assertThat(run.out()).as("cart-1 and cart-3 lapsed (cart-3 at exactly the latest event time); cart-2 "
                + "never expires").isEqualTo(HEADER + "SKU-1,WH-1,10,3,7,2026-03-14T12:00:00Z\n");
        assertThat(run.summary()).startsWith("replayed 6 lines as of 2026-03-14T12:00:00Z (the latest event time)");
    }

    @Test
    void aHoldExtendedBeforeItLapsedCountsUntilItsNewExpiryAndOneExtendedTooLateStaysLapsed() throws IOException {
        Path file = file("""
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"reservations","reservation_id":"cart-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"status":"held","event_time":"2026-03-14T10:00:00Z","expires_at":"2026-03-14T10:15:00Z"}
                {"topic":"reservations","reservation_id":"cart-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"status":"held","event_time":"2026-03-14T10:14:00Z","expires_at":"2026-03-14T10:30:00Z"}
                {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":3,"status":"held","event_time":"2026-03-14T10:00:00Z","expires_at":"2026-03-14T10:15:00Z"}
                {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":3,"status":"held","event_time":"2026-03-14T10:16:00Z","expires_at":"2026-03-14T10:30:00Z"}
                """);

        ReplayRun run = ReplayRun.of("--as-of", "2026-03-14T10:20:00Z", file.toString());

        assertThat(run.out()).as("at 10:20 cart-1 (extended at 10:14 to 10:30) still holds; cart-2 lapsed at 10:15, "
                + "before the copy of 10:16 came").isEqualTo(HEADER + "SKU-1,WH-1,10,2,8,2026-03-14T10:14:00Z\n");
        assertThat(run.summary()).endsWith("applied 4, duplicates 1, conflicts 0, after as-of 0, skipped 0");
    }

    @Test
    void anOrderCarryingAReservationIdConsumesTheHoldAndAReleaseBeforeItsHoldNetsToZero() throws IOException {
        Path file = file("""
                {"topic":"warehouse_receipts","receipt_id":"RCPT-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":10,"event_time":"2026-03-14T09:00:00Z"}
                {"topic":"reservations","reservation_id":"cart-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"status":"held","event_time":"2026-03-14T10:00:00Z"}
                {"topic":"orders","order_id":"ORD-1","product_id":"SKU-1","warehouse_id":"WH-1","quantity":2,"reservation_id":"cart-1","event_time":"2026-03-14T10:05:00Z"}
                {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":3,"status":"released","event_time":"2026-03-14T10:10:00Z"}
                {"topic":"reservations","reservation_id":"cart-2","product_id":"SKU-1","warehouse_id":"WH-1","quantity":3,"status":"held","event_time":"2026-03-14T10:06:00Z"}
                """);

        assertThat(ReplayRun.of(file.toString()).out())
                .isEqualTo(HEADER + "SKU-1,WH-1,8,0,8,2026-03-14T10:10:00Z\n");
    }

    // ------------------------------------------------------------------------------------ the command line

    @ParameterizedTest(name = "arguments [{0}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                                   | FILE is missing
            --as-of 2026-03-14T10:00:00Z                         | FILE is missing
            --as-of                                              | --as-of needs an instant, e.g. 2026-03-14T14:05:00Z
            --as-of yesterday {file}                             | --as-of must be an ISO-8601 instant with an offset or Z, e.g. 2026-03-14T14:05:00Z, but was 'yesterday'
            --as-of=2026-03-14T10:00:00 {file}                   | --as-of must be an ISO-8601 instant with an offset or Z, e.g. 2026-03-14T14:05:00Z, but was '2026-03-14T10:00:00'
            --as-of 2026-03-14T10:00Z --as-of=2026-03-14T11:00Z  | --as-of given twice
            --since 2026-03-14T10:00:00Z {file}                  | unknown option --since
            {file} {file}                                        | one FILE only, but got {file} and {file}
            """)
    void aUsageErrorPrintsWhyAndTheUsageAndExits64(String commandLine, String why) throws IOException {
        Path file = file(DAY);
        String[] args = commandLine.isEmpty() ? new String[0]
                : commandLine.replace("{file}", file.toString()).split(" ");

        ReplayRun run = ReplayRun.of(args);

        assertThat(run.status()).isEqualTo(Replay.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(String.join("\n", run.err()) + "\n")
                .isEqualTo("Replay: " + why.replace("{file}", file.toString()) + "\n" + Replay.USAGE);
    }

    @Test
    void helpPrintsTheUsageOnStdout() {
        for (String help : List.of("--help", "-h")) {
            ReplayRun run = ReplayRun.of(help);
            assertThat(run.status()).isZero();
            assertThat(run.out()).isEqualTo(Replay.USAGE);
            assertThat(run.err()).isEmpty();
        }
    }

    @Test
    void aFileThatCannotBeReadExits66() {
        Path missing = dir.resolve("missing.jsonl");

        ReplayRun run = ReplayRun.of(missing.toString());

        assertThat(run.status()).isEqualTo(Replay.EXIT_NO_INPUT);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly("Replay: cannot read " + missing + ": not a readable file");
        assertThat(ReplayRun.of(dir.toString()).status()).as("a directory").isEqualTo(Replay.EXIT_NO_INPUT);
    }

    @Test
    void afterDoubleDashAnArgumentIsTheFileEvenIfItLooksLikeAnOption() {
        assertThat(Replay.Options.parse(new String[] {"--as-of", "2026-03-14T10:00:00Z", "--", "--help"}))
                .isEqualTo(new Replay.Options(Path.of("--help"), Instant.parse("2026-03-14T10:00:00Z"), false));
    }

    private Path file(String text) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "events", ".jsonl"), text, StandardCharsets.UTF_8);
    }
}
