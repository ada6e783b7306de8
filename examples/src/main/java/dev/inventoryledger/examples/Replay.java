package dev.inventoryledger.examples;

import dev.inventoryledger.core.AsOfReplay;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.kafka.internal.EventCodec;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replays a file of inventory events into a fresh ledger and prints the positions they leave, as CSV: the
 * audit path ("what did we believe was sellable at 14:03 during the sale?").
 *
 * <pre>
 * java -cp examples/target/inventory-examples.jar dev.inventoryledger.examples.Replay [--as-of INSTANT] FILE
 * </pre>
 *
 * <ul>
 *   <li>FILE has one event per line: a JSON object with the article's fields and a {@code topic} field that
 *       names the topic it came from ({@code orders}, {@code order_cancellations}, {@code returns},
 *       {@code warehouse_receipts}, {@code reservations}); see {@link EventLines}. Blank lines are
 *       ignored.</li>
 *   <li>The events are applied in file order with {@link InventoryLedger#apply}, so the rules are the
 *       ledger's: a redelivery counts once, and of two lines with one identity and different payloads the
 *       first stands (the later one is reported on stderr as a conflict).</li>
 *   <li>{@code --as-of INSTANT} applies only the events whose {@code event_time} is at or before INSTANT.
 *       Holds lapse by event time: a hold whose {@code expires_at} is at or before the cut (INSTANT, or
 *       without {@code --as-of} the latest event time in the file) no longer counts. There is no default
 *       time to live.</li>
 *   <li>stdout: the header {@value #HEADER}, then one row per position that an applied event touched,
 *       sorted by product then warehouse, {@code last_updated_at} in ISO-8601 UTC.</li>
 *   <li>stderr: {@code line N: reason} for each line skipped (not an event, or refused by the ledger),
 *       {@code line N: conflict: ...} for each conflicting redelivery, and a one-line summary.</li>
 *   <li>Exit status: 0; {@value #EXIT_SKIPPED} if any line was skipped (the others are still applied and
 *       printed); {@value #EXIT_USAGE} on a usage error; {@value #EXIT_NO_INPUT} if FILE cannot be read.</li>
 * </ul>
 *
 * <p>Exact for files of up to 2<sup>24</sup> distinct event identities per product: the ledger is built
 * to remember that many, and every ended reservation.
 */
public final class Replay {
    static final String HEADER =
            "product_id,warehouse_id,available_quantity,held_quantity,sellable_quantity,last_updated_at";
    static final int EXIT_OK = 0;
    static final int EXIT_SKIPPED = 2;
    static final int EXIT_USAGE = 64;
    static final int EXIT_NO_INPUT = 66;
    static final int EXIT_IO_ERROR = 74;

    static final String USAGE = """
            usage: Replay [--as-of INSTANT] FILE

            Applies the inventory events in FILE, in file order, to a fresh ledger and prints the
            positions they leave as CSV. FILE has one JSON object per line: the article's event fields
            plus "topic" (orders, order_cancellations, returns, warehouse_receipts or reservations).

              --as-of INSTANT  apply only events whose event_time is at or before INSTANT
                               (ISO-8601 with an offset or Z, e.g. 2026-03-14T14:05:00Z); holds whose
                               expires_at is at or before it have lapsed. Without --as-of, holds lapse
                               at the latest event_time in FILE.
              -h, --help       print this help

            Exit status: 0 done; 2 done, but lines were skipped (see stderr); 64 usage error;
            66 FILE cannot be read; 74 read error.
            """;

    /** A file is one history, replayed whole: every identity in it is remembered, whatever its time. */
    private static final Duration WHOLE_FILE = Duration.ofDays(365L * 200);
    private static final Comparator<Position> BY_PRODUCT_THEN_WAREHOUSE =
            Comparator.comparing(Position::productId).thenComparing(Position::warehouseId);

    private final PrintStream out;
    private final PrintStream err;
    private final EventLines lines = new EventLines();
    private final InventoryLedger.Builder settings = InventoryLedger.builder()
            .dedupHorizon(WHOLE_FILE).maxRememberedIdentities(Long.MAX_VALUE)
            .retainEndedReservations(Integer.MAX_VALUE); // a late held after its released must still net to 0
    private long read, applied, duplicates, conflicts, afterCut, skipped;

    private Replay(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false,
                StandardCharsets.UTF_8);
        int status = run(args, out, System.err);
        out.flush();
        System.exit(status);
    }

    /**
     * Runs the tool: the CSV goes to {@code out}, reports and usage errors to {@code err}.
     *
     * @return the exit status (see the class comment)
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("Replay: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(USAGE);
            return EXIT_OK;
        }
        if (!Files.isRegularFile(options.file()) || !Files.isReadable(options.file())) {
            err.println("Replay: cannot read " + options.file() + ": not a readable file");
            return EXIT_NO_INPUT;
        }
        try {
            return new Replay(out, err).replay(options.file(), options.asOf());
        } catch (IOException e) {
            err.println("Replay: error reading " + options.file() + ": " + e);
            return EXIT_IO_ERROR;
        }
    }

    private int replay(Path file, Instant asOf) throws IOException {
        Instant cut = asOf != null ? asOf : latestEventTime(file);
        AsOfReplay replay = AsOfReplay.asOf(cut, settings);
        try (BufferedReader in = open(file)) {
            String text;
            for (long n = 1; (text = in.readLine()) != null; n++) {
                if (!text.isBlank()) {
                    read++;
                    apply(replay, n, text);
                }
            }
        }
        printPositions(replay.finish()); // reads lapse every hold whose expires_at is at or before the cut
        String when = cut == null ? "" : asOf != null ? " as of " + cut : " as of " + cut + " (the latest event time)";
        err.println("replayed " + read + " lines" + when + ": applied " + applied + ", duplicates " + duplicates
                + ", conflicts " + conflicts + (asOf != null ? ", after as-of " + afterCut : "") + ", skipped "
                + skipped);
        return skipped == 0 ? EXIT_OK : EXIT_SKIPPED;
    }

    private void apply(AsOfReplay replay, long lineNumber, String text) {
        InventoryEvent event;
        try {
            event = lines.decode(text);
        } catch (EventCodec.Refused refused) {
            skip(lineNumber, refused.getMessage());
            return;
        }
        if (replay.isAfterCut(event)) {
            afterCut++;
            return;
        }
        try {
            switch (replay.apply(event)) {
                case APPLIED -> applied++;
                case DUPLICATE -> duplicates++;
                case LATE -> skip(lineNumber, "late: its identity may have been forgotten"); // not with WHOLE_FILE
                case CONFLICT -> {
                    conflicts++;
                    err.println("line " + lineNumber + ": conflict: " + (event.kind().isReservation()
                            ? "an earlier line has this event's identity with another payload (the first stands), "
                            + "or the releases of this hold add up to more units than it held (the hold ended; "
                            + "the extra cannot be un-held)"
                            : "an earlier line has this event's identity with another payload; the first stands"));
                }
            }
        } catch (InvalidEventException refused) { // a count would overflow
            skip(lineNumber, refused.getMessage());
        }
    }

    private void skip(long lineNumber, String reason) {
        skipped++;
        err.println("line " + lineNumber + ": " + reason);
    }

    /** The greatest event time of the events in the file, or null if it has none. */
    private Instant latestEventTime(Path file) throws IOException {
        Instant latest = null;
        try (BufferedReader in = open(file)) {
            String text;
            while ((text = in.readLine()) != null) {
                if (text.isBlank()) {
                    continue;
                }
                try {
                    Instant t = lines.decode(text).eventTime();
                    latest = latest == null || t.isAfter(latest) ? t : latest;
                } catch (EventCodec.Refused notAnEvent) {
                    // reported when the line is replayed
                }
            }
        }
        return latest;
    }

    /** UTF-8; a malformed byte becomes U+FFFD (the line is then refused or kept as the codec decides). */
    private static BufferedReader open(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8));
    }

    private void printPositions(InventoryLedger ledger) {
        List<Position> positions = new ArrayList<>(ledger.positions());
        positions.sort(BY_PRODUCT_THEN_WAREHOUSE);
        out.print(HEADER + "\n");
        for (Position p : positions) {
            out.print(csvField(p.productId()) + ',' + csvField(p.warehouseId()) + ',' + p.available() + ','
                    + p.held() + ',' + p.sellable() + ',' + p.lastUpdated() + '\n');
        }
        out.flush();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** The command line: {@code [--as-of INSTANT] FILE}, or {@code --help}. */
    record Options(Path file, Instant asOf, boolean help) {
        static Options parse(String[] args) {
            Path file = null;
            Instant asOf = null;
            boolean options = true;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (options && (arg.equals("-h") || arg.equals("--help"))) {
                    return new Options(null, null, true);
                } else if (options && (arg.equals("--as-of") || arg.startsWith("--as-of="))) {
                    if (asOf != null) {
                        throw new IllegalArgumentException("--as-of given twice");
                    }
                    if (arg.equals("--as-of") && i + 1 == args.length) {
                        throw new IllegalArgumentException("--as-of needs an instant, e.g. 2026-03-14T14:05:00Z");
                    }
                    asOf = instant(arg.equals("--as-of") ? args[++i] : arg.substring("--as-of=".length()));
                } else if (options && arg.equals("--")) {
                    options = false;
                } else if (options && arg.startsWith("-") && arg.length() > 1) {
                    throw new IllegalArgumentException("unknown option " + arg);
                } else if (file != null) {
                    throw new IllegalArgumentException("one FILE only, but got " + file + " and " + arg);
                } else {
                    file = Path.of(arg);
                }
            }
            if (file == null) {
                throw new IllegalArgumentException("FILE is missing");
            }
            return new Options(file, asOf, false);
        }

        private static Instant instant(String text) {
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--as-of must be an ISO-8601 instant with an offset or Z, e.g. "
                        + "2026-03-14T14:05:00Z, but was '" + text + "'");
            }
        }
    }
}
