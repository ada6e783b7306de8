package dev.inventoryledger.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay tool against real SQL. Generated files of JSON lines — duplicates, redeliveries with another
 * event time or another spelling, conflicting redeliveries, malformed and blank lines, holds with an
 * {@code expires_at} before and after the cut, orders carrying a {@code reservation_id}, releases before
 * their holds — are replayed without {@code --as-of} and with one, and the CSV is compared with what SQL on
 * H2 returns on the valid lines.
 *
 * <p>The SQL does everything the tool's contract says, from the raw lines: the as-of filter on
 * {@code event_time} ({@code cut}), the first-line-stands de-duplication by identity ({@code ranked},
 * {@code replayed}), then the article's five sources as views of the replayed lines and the article's
 * {@code live_inventory} and {@code live_inventory_with_holds} verbatim.
 * <ol>
 *   <li>{@link #replayEqualsArticleSql}: histories the article's SQL describes exactly (every release has
 *       its hold with the same quantity and no earlier time, no expiry, no order consumes a hold): the CSV
 *       equals {@code live_inventory_with_holds}, plus the positions only reservations touched.</li>
 *   <li>{@link #replayEqualsHoldLifecycleSql}: the whole lifecycle, with the ledger's rule for holds stated
 *       in SQL as in core's {@code LedgerMatchesSqlOracleProperties}, adapted to the replay: a hold counts
 *       iff it was held, not released, not consumed by an order carrying its reservation_id, and its
 *       {@code expires_at} is after the cut.</li>
 * </ol>
 * Both also check stderr line by line (which lines were skipped, which were conflicts, the summary) and the
 * exit status. A failing property prints the file, one line a line; counterexamples shrink to a few lines.
 * 150 + 250 tries of up to 70 acts (a hundred-odd lines), each file replayed twice: a few seconds.
 */
class ReplayMatchesSqlProperties {

    // ------------------------------------------------------------------------------------ the universe

    /** Few products, warehouses and ids: collisions are common. One product id needs CSV and JSON quoting. */
    private static final String[] PRODUCTS = {"SKU-1", "SKU-2", "SKU \"3\", large"};
    private static final String[] WAREHOUSES = {"WH-EAST", "WH-WEST"};
    private static final int ID_POOL = 8;
    private static final int RESERVATION_POOL = 5;
    private static final int EVENT_ID_POOL = 3;
    private static final EventKind[] STOCK_KINDS = {EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED,
            EventKind.RETURN_RECEIVED, EventKind.STOCK_RECEIVED};
    /** Event times and expiries are milliseconds within 20 s of this: expiries often fall near the cut. */
    private static final Instant T0 = Instant.parse("2026-03-14T14:00:00Z");
    private static final int SPAN_MILLIS = 20_000;

    /** Lines that are not events, each for another reason. */
    private static final List<String> MALFORMED = List.of(
            "not json at all",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\"",
            "[1, 2, 3]",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":1,\"event_time\":\"2026-03-14T14:00:01Z\"} {\"topic\":\"orders\"}",
            "{\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\",\"quantity\":1,"
                    + "\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"shipments\",\"shipment_id\":\"S-1\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":1,\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"reservations\",\"reservation_id\":\"RES-X\",\"product_id\":\"SKU-1\","
                    + "\"warehouse_id\":\"WH-EAST\",\"quantity\":1,\"status\":\"confirmed\","
                    + "\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"returns\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\",\"quantity\":1,"
                    + "\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"warehouse_receipts\",\"receipt_id\":\"  \",\"product_id\":\"SKU-1\","
                    + "\"warehouse_id\":\"WH-EAST\",\"quantity\":1,\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":0,\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":-3,\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":2.5,\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":\"7\",\"event_time\":\"2026-03-14T14:00:01Z\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":1,\"event_time\":\"yesterday\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":1,\"event_time\":\"2026-03-14T14:00:01\"}",
            "{\"topic\":\"orders\",\"order_id\":\"ORD-X\",\"product_id\":\"SKU-1\",\"warehouse_id\":\"WH-EAST\","
                    + "\"quantity\":1}");

    // ------------------------------------------------------------------------------------ the SQL

    /**
     * Every valid line of the file, the --as-of instant (no row: no --as-of), and the three tables that
     * {@link #REFRESH} fills from them for each run (as the article's materialized views would be: plain views
     * recomputed the window functions once per row that reads them, which made the test slow).
     */
    private static final String TABLES = """
            CREATE TABLE lines (
              line_no INT PRIMARY KEY, kind VARCHAR, id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR,
              quantity INT, event_time TIMESTAMP WITH TIME ZONE, event_id VARCHAR,
              reservation_id VARCHAR, -- on orders only: the hold the order consumes
              expires_at TIMESTAMP WITH TIME ZONE);
            CREATE TABLE as_of (at TIMESTAMP WITH TIME ZONE);
            CREATE TABLE cut (at TIMESTAMP WITH TIME ZONE);
            CREATE TABLE outcomes (line_no INT PRIMARY KEY, outcome VARCHAR);
            CREATE TABLE replayed AS SELECT * FROM lines WITH NO DATA;
            """;

    /**
     * The replay's contract in SQL. {@code ranked}: the lines at or before the cut, numbered within their
     * identity in file order (identity: event_id within its product, else kind, id, product, warehouse), each
     * with the payload of its identity's first line. The article's five sources are views of the lines that
     * stand ({@code replayed}).
     */
    private static final String REPLAY = """
            CREATE VIEW ranked AS
            SELECT l.*,
                   ROW_NUMBER() OVER w AS nth,
                   FIRST_VALUE(kind) OVER w AS first_kind, FIRST_VALUE(id) OVER w AS first_id,
                   FIRST_VALUE(warehouse_id) OVER w AS first_warehouse, FIRST_VALUE(quantity) OVER w AS first_quantity,
                   FIRST_VALUE(reservation_id) OVER w AS first_reservation
            FROM lines l
            WHERE l.event_time <= (SELECT at FROM cut)
            WINDOW w AS (PARTITION BY product_id, event_id,
                                      CASE WHEN event_id IS NULL THEN kind END,
                                      CASE WHEN event_id IS NULL THEN id END,
                                      CASE WHEN event_id IS NULL THEN warehouse_id END
                         ORDER BY line_no);

            CREATE VIEW orders_source AS
            SELECT id AS order_id, product_id, warehouse_id, quantity, event_time, reservation_id
            FROM replayed WHERE kind = 'ORDER_PLACED';
            CREATE VIEW cancellations_source AS
            SELECT id AS order_id, product_id, warehouse_id, quantity, event_time
            FROM replayed WHERE kind = 'ORDER_CANCELLED';
            CREATE VIEW returns_source AS
            SELECT id AS return_id, product_id, warehouse_id, quantity, event_time
            FROM replayed WHERE kind = 'RETURN_RECEIVED';
            CREATE VIEW receipts_source AS
            SELECT id AS receipt_id, product_id, warehouse_id, quantity, event_time
            FROM replayed WHERE kind = 'STOCK_RECEIVED';
            CREATE VIEW reservations_source AS
            SELECT id AS reservation_id, product_id, warehouse_id, quantity,
                   CASE WHEN kind = 'RESERVATION_HELD' THEN 'held' ELSE 'released' END AS status,
                   event_time, expires_at
            FROM replayed WHERE kind IN ('RESERVATION_HELD', 'RESERVATION_RELEASED');
            """;

    /**
     * Per run, after {@code lines} and {@code as_of} are loaded: the cut (the --as-of instant, else the latest
     * event time); each line's outcome (the first line of an identity stands; a later one is a duplicate if
     * its payload equals the first's — quantity; on an order its reservation_id; with an event_id also kind,
     * id and warehouse — else a conflict); the lines that stand.
     */
    private static final String REFRESH = """
            TRUNCATE TABLE cut;
            INSERT INTO cut SELECT COALESCE((SELECT MAX(at) FROM as_of), (SELECT MAX(event_time) FROM lines));
            TRUNCATE TABLE outcomes;
            INSERT INTO outcomes
            SELECT line_no,
                   CASE WHEN nth = 1 THEN 'applied'
                        WHEN quantity = first_quantity AND reservation_id IS NOT DISTINCT FROM first_reservation
                             AND (event_id IS NULL OR (kind = first_kind AND id = first_id
                                                       AND warehouse_id = first_warehouse)) THEN 'duplicate'
                        ELSE 'conflict' END
            FROM ranked;
            TRUNCATE TABLE replayed;
            INSERT INTO replayed
            SELECT line_no, kind, id, product_id, warehouse_id, quantity, event_time, event_id, reservation_id,
                   expires_at
            FROM ranked WHERE nth = 1;
            """;

    /** The article's two materialized views, verbatim but for MATERIALIZED (H2 has plain views). */
    private static final String ARTICLE_VIEWS = """
            CREATE VIEW live_inventory AS
            WITH inventory_events AS (
            -- Orders reduce inventory
            SELECT
            product_id,
            warehouse_id,
            -quantity AS quantity_delta,
            event_time
            FROM orders_source
            UNION ALL
            -- Cancellations restore inventory
            SELECT
            product_id,
            warehouse_id,
            quantity AS quantity_delta,
            event_time
            FROM cancellations_source
            UNION ALL
            -- Returns restore inventory
            SELECT
            product_id,
            warehouse_id,
            quantity AS quantity_delta,
            event_time
            FROM returns_source
            UNION ALL
            -- Warehouse receipts add inventory
            SELECT
            product_id,
            warehouse_id,
            quantity AS quantity_delta,
            event_time
            FROM receipts_source
            )
            SELECT
            product_id,
            warehouse_id,
            SUM(quantity_delta) AS available_quantity,
            MAX(event_time) AS last_updated_at
            FROM inventory_events
            GROUP BY product_id, warehouse_id;

            CREATE VIEW live_inventory_with_holds AS
            SELECT
            li.product_id,
            li.warehouse_id,
            li.available_quantity,
            COALESCE(r.held_quantity, 0) AS held_quantity,
            li.available_quantity - COALESCE(r.held_quantity, 0) AS sellable_quantity
            FROM live_inventory li
            LEFT JOIN (
            SELECT
            product_id,
            warehouse_id,
            SUM(CASE WHEN status = 'held' THEN quantity
            WHEN status = 'released' THEN -quantity
            ELSE 0 END) AS held_quantity
            FROM reservations_source
            GROUP BY product_id, warehouse_id
            ) r ON li.product_id = r.product_id
            AND li.warehouse_id = r.warehouse_id;
            """;

    /**
     * Not from the article, as in core's oracle: {@code last_event_time} (the ledger's lastUpdated counts
     * reservation events too; the article's {@code last_updated_at} only stock events) and the positions only
     * reservation events touched (the ledger has them with available 0; the article's LEFT JOIN from
     * {@code live_inventory} has not). {@code article_positions} is the article's answer with both added.
     */
    private static final String LEDGER_VIEWS = """
            CREATE VIEW last_event_time AS
            SELECT product_id, warehouse_id, MAX(event_time) AS last_event_at FROM (
              SELECT product_id, warehouse_id, event_time FROM orders_source
              UNION ALL SELECT product_id, warehouse_id, event_time FROM cancellations_source
              UNION ALL SELECT product_id, warehouse_id, event_time FROM returns_source
              UNION ALL SELECT product_id, warehouse_id, event_time FROM receipts_source
              UNION ALL SELECT product_id, warehouse_id, event_time FROM reservations_source
            ) e
            GROUP BY product_id, warehouse_id;

            CREATE VIEW reservation_only_holds AS
            SELECT r.product_id, r.warehouse_id,
                   SUM(CASE WHEN status = 'held' THEN quantity
                            WHEN status = 'released' THEN -quantity
                            ELSE 0 END) AS held_quantity
            FROM reservations_source r
            WHERE NOT EXISTS (SELECT 1 FROM live_inventory li
                              WHERE li.product_id = r.product_id AND li.warehouse_id = r.warehouse_id)
            GROUP BY r.product_id, r.warehouse_id;

            CREATE VIEW article_positions AS
            SELECT a.product_id, a.warehouse_id, a.available_quantity, a.held_quantity, a.sellable_quantity,
                   t.last_event_at
            FROM live_inventory_with_holds a
            JOIN last_event_time t ON t.product_id = a.product_id AND t.warehouse_id = a.warehouse_id
            UNION ALL
            SELECT r.product_id, r.warehouse_id, 0, r.held_quantity, -r.held_quantity, t.last_event_at
            FROM reservation_only_holds r
            JOIN last_event_time t ON t.product_id = r.product_id AND t.warehouse_id = r.warehouse_id;
            """;

    /**
     * The ledger's hold lifecycle (core's rule) with expiry by event time: a hold line (reservation_id,
     * product, warehouse) counts, with its held quantity, iff its {@code held} stands, no {@code released} and
     * no order carrying its reservation_id stands for the same product and warehouse, and it has no
     * {@code expires_at} or one after the cut. Available stays the article's sum.
     */
    private static final String LIFECYCLE_VIEWS = """
            CREATE VIEW active_hold_lines AS
            SELECT h.reservation_id, h.product_id, h.warehouse_id, h.quantity
            FROM reservations_source h
            WHERE h.status = 'held'
              AND (h.expires_at IS NULL OR h.expires_at > (SELECT at FROM cut))
              AND NOT EXISTS (SELECT 1 FROM reservations_source r
                              WHERE r.status = 'released' AND r.reservation_id = h.reservation_id
                                AND r.product_id = h.product_id AND r.warehouse_id = h.warehouse_id)
              AND NOT EXISTS (SELECT 1 FROM orders_source o
                              WHERE o.reservation_id = h.reservation_id
                                AND o.product_id = h.product_id AND o.warehouse_id = h.warehouse_id);

            CREATE VIEW lifecycle_positions AS
            SELECT t.product_id, t.warehouse_id,
                   COALESCE(li.available_quantity, 0) AS available_quantity,
                   COALESCE(a.held_quantity, 0) AS held_quantity,
                   COALESCE(li.available_quantity, 0) - COALESCE(a.held_quantity, 0) AS sellable_quantity,
                   t.last_event_at
            FROM last_event_time t
            LEFT JOIN live_inventory li
                   ON li.product_id = t.product_id AND li.warehouse_id = t.warehouse_id
            LEFT JOIN (SELECT product_id, warehouse_id, SUM(quantity) AS held_quantity
                       FROM active_hold_lines GROUP BY product_id, warehouse_id) a
                   ON a.product_id = t.product_id AND a.warehouse_id = t.warehouse_id;
            """;

    private static Connection db;
    private static Path dir;

    @BeforeContainer
    static void open() throws SQLException, IOException {
        db = DriverManager.getConnection("jdbc:h2:mem:");
        execute(TABLES + REPLAY + ARTICLE_VIEWS + LEDGER_VIEWS + LIFECYCLE_VIEWS);
        dir = Files.createTempDirectory("replay-properties");
    }

    private static void execute(String script) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String sql : script.split(";\\s*\\n")) {
                if (!sql.isBlank()) {
                    st.execute(sql);
                }
            }
        }
    }

    @AfterContainer
    static void close() throws SQLException, IOException {
        if (db != null) {
            db.close();
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("events.jsonl"));
            Files.deleteIfExists(dir);
        }
    }

    // ------------------------------------------------------------------------------------ properties

    /** 1. Histories the article's SQL describes exactly: the CSV is its {@code live_inventory_with_holds}. */
    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void replayEqualsArticleSql(@ForAll("articleFiles") EventFile file) throws Exception {
        checkBothCuts(file, "article_positions");
    }

    /** 2. The whole hold lifecycle, expiry by event time included, versus {@code lifecycle_positions}. */
    @Property(tries = 250, edgeCases = EdgeCasesMode.NONE)
    void replayEqualsHoldLifecycleSql(@ForAll("lifecycleFiles") EventFile file) throws Exception {
        checkBothCuts(file, "lifecycle_positions");
    }

    /** Replays the file without --as-of, then with the file's generated as-of instant; compares each to SQL. */
    private static void checkBothCuts(EventFile file, String positionsView) throws Exception {
        Path path = dir.resolve("events.jsonl");
        Files.writeString(path, file.text(), StandardCharsets.UTF_8);
        load(file);
        for (Instant asOf : Arrays.asList(null, file.asOf())) {
            execute("TRUNCATE TABLE as_of;\n");
            String[] args = {path.toString()};
            if (asOf != null) {
                try (PreparedStatement ps = db.prepareStatement("INSERT INTO as_of VALUES (?)")) {
                    ps.setObject(1, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                args = new String[] {"--as-of", asOf.toString(), path.toString()};
            }
            execute(REFRESH);
            ReplayRun run = ReplayRun.of(args);
            String what = asOf == null ? "without --as-of" : "with --as-of " + asOf;
            assertThat(run.out()).as("CSV %s", what).isEqualTo(expectedCsv(positionsView));
            assertThat(run.reportedLines("conflict: ")).as("conflicts reported %s", what)
                    .isEqualTo(ints("SELECT line_no FROM outcomes WHERE outcome = 'conflict' ORDER BY line_no"));
            assertThat(run.reportedLines("")).as("lines reported skipped %s", what)
                    .isEqualTo(file.malformedLineNumbers());
            assertThat(run.summary()).as("summary %s", what).isEqualTo(expectedSummary(file, asOf));
            assertThat(run.status()).as("exit status %s", what)
                    .isEqualTo(file.malformedLineNumbers().isEmpty() ? 0 : 2);
        }
    }

    // ------------------------------------------------------------------------------------ the oracle's answers

    private static String expectedCsv(String view) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, available_quantity, held_quantity, "
                     + "sellable_quantity, last_event_at FROM " + view)) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getObject(6, OffsetDateTime.class).toInstant().toString()});
            }
        }
        rows.sort(Comparator.comparing((String[] r) -> r[0]).thenComparing(r -> r[1]));
        StringBuilder csv = new StringBuilder(
                "product_id,warehouse_id,available_quantity,held_quantity,sellable_quantity,last_updated_at\n");
        for (String[] r : rows) {
            csv.append(Arrays.stream(r).map(ReplayMatchesSqlProperties::quoted).collect(Collectors.joining(",")))
                    .append('\n');
        }
        return csv.toString();
    }

    private static String quoted(String field) {
        return field.matches("[^,\"\r\n]*") ? field : "\"" + field.replace("\"", "\"\"") + "\"";
    }

    private static String expectedSummary(EventFile file, Instant asOf) throws SQLException {
        long valid = ints("SELECT line_no FROM lines").size();
        long applied = ints("SELECT line_no FROM outcomes WHERE outcome = 'applied'").size();
        long duplicates = ints("SELECT line_no FROM outcomes WHERE outcome = 'duplicate'").size();
        long conflicts = ints("SELECT line_no FROM outcomes WHERE outcome = 'conflict'").size();
        Instant cut = null;
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT at FROM cut")) {
            if (rs.next() && rs.getObject(1) != null) {
                cut = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
        String when = cut == null ? "" : " as of " + cut + (asOf == null ? " (the latest event time)" : "");
        return "replayed " + (valid + file.malformedLineNumbers().size()) + " lines" + when + ": applied "
                + applied + ", duplicates " + duplicates + ", conflicts " + conflicts
                + (asOf == null ? "" : ", after as-of " + (valid - applied - duplicates - conflicts))
                + ", skipped " + file.malformedLineNumbers().size();
    }

    private static List<Integer> ints(String sql) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    /** Empties the tables and inserts every valid line with its line number. */
    private static void load(EventFile file) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("TRUNCATE TABLE lines");
        }
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            List<Line> lines = file.lines();
            for (int i = 0; i < lines.size(); i++) {
                InventoryEvent e = lines.get(i).event();
                if (e == null) {
                    continue;
                }
                ps.setInt(1, i + 1);
                ps.setString(2, e.kind().name());
                ps.setString(3, e.id());
                ps.setString(4, e.productId());
                ps.setString(5, e.warehouseId());
                ps.setInt(6, Math.toIntExact(e.quantity()));
                ps.setObject(7, OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC));
                ps.setString(8, e.eventId());
                ps.setString(9, e.kind() == EventKind.ORDER_PLACED ? e.reservationId() : null);
                ps.setObject(10, e.expiresAt() == null ? null
                        : OffsetDateTime.ofInstant(e.expiresAt(), ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ------------------------------------------------------------------------------------ generators

    /**
     * A generated file: its lines (an event with its JSON, a malformed line, or a blank line) and an instant
     * for the run with --as-of, chosen among the event times and expiries, or a millisecond beside one.
     */
    record EventFile(List<Line> lines, Instant asOf) {
        String text() {
            return lines.stream().map(Line::text).collect(Collectors.joining("\n", "", "\n"));
        }

        List<Integer> malformedLineNumbers() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).event() == null && !lines.get(i).text().isBlank()) {
                    out.add(i + 1);
                }
            }
            return out;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("file of ").append(lines.size()).append(" lines, as-of run at ")
                    .append(asOf).append(':');
            for (int i = 0; i < lines.size(); i++) {
                b.append("\n  ").append(i + 1).append(": ").append(lines.get(i).text());
            }
            return b.toString();
        }
    }

    /** One line of a file: {@code event} is null for a malformed or blank line. */
    record Line(InventoryEvent event, String text) {
    }

    /** What a generated act adds to the file. */
    enum ActType { STOCK, ORDER_AND_CANCEL, HOLD, REDELIVER, CONFLICT, MALFORMED, BLANK }

    /** One generated act: raw numbers, read modulo their ranges when the file is built (0 is simplest). */
    record Act(ActType type, int[] n) {
        /** Lines one act adds at most (a held, a released and two consuming orders). */
        static final int MAX_LINES = 4;
        /** Where the sort keys start, one per line; then the spelling of each line. */
        static final int KEYS = 16;
        static final int STYLES = KEYS + MAX_LINES;
        static final int SIZE = STYLES + MAX_LINES;

        @Override
        public String toString() {
            return type + Arrays.toString(n);
        }
    }

    private enum Mode {
        /** What the article's SQL describes exactly (see {@link #build}). */
        ARTICLE,
        /** The ledger's whole hold lifecycle, with expiry. */
        LIFECYCLE
    }

    @Provide
    Arbitrary<EventFile> articleFiles() {
        return files(Mode.ARTICLE);
    }

    @Provide
    Arbitrary<EventFile> lifecycleFiles() {
        return files(Mode.LIFECYCLE);
    }

    private static Arbitrary<EventFile> files(Mode mode) {
        Arbitrary<int[]> numbers = Arbitraries.integers().between(0, 1 << 20).array(int[].class).ofSize(Act.SIZE);
        Arbitrary<ActType> types = Arbitraries.frequency(Tuple.of(30, ActType.STOCK),
                Tuple.of(10, ActType.ORDER_AND_CANCEL), Tuple.of(24, ActType.HOLD), Tuple.of(14, ActType.REDELIVER),
                Tuple.of(12, ActType.CONFLICT), Tuple.of(6, ActType.MALFORMED), Tuple.of(2, ActType.BLANK));
        Arbitrary<List<Act>> acts = Combinators.combine(types, numbers).as(Act::new).list().ofMaxSize(70)
                .withSizeDistribution(RandomDistribution.uniform());
        Arbitrary<Integer> cutPick = Arbitraries.integers().between(0, 1 << 20);
        return Combinators.combine(acts, cutPick).as((a, c) -> file(mode, a, c));
    }

    /** Puts the built lines in the order of their generated sort keys (ties: build order), picks the cut. */
    private static EventFile file(Mode mode, List<Act> acts, int cutPick) {
        Sink built = build(mode, acts);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < built.lines.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> built.keys.get(i)).thenComparingInt(i -> i));
        List<Line> lines = order.stream().map(built.lines::get).collect(Collectors.toList());

        List<Instant> times = new ArrayList<>();
        for (Line l : lines) {
            if (l.event() != null) {
                times.add(l.event().eventTime());
                if (l.event().expiresAt() != null) {
                    times.add(l.event().expiresAt());
                }
            }
        }
        Instant asOf = times.isEmpty() || cutPick % 10 == 9 ? T0.minusSeconds(60)
                : times.get(cutPick % times.size()).plusMillis(cutPick / 7 % 3 - 1);
        return new EventFile(lines, asOf);
    }

    /** The built lines, in build order, each with its sort key. */
    private static final class Sink {
        final List<Line> lines = new ArrayList<>();
        final List<InventoryEvent> events = new ArrayList<>();
        final List<Integer> keys = new ArrayList<>();
        private int[] n;
        private int slot;

        void startAct(int[] numbers) {
            n = numbers;
            slot = 0;
        }

        void add(InventoryEvent e) {
            add(new Line(e, json(e, n[Act.STYLES + slot])));
            events.add(e);
        }

        void add(Line line) {
            lines.add(line);
            keys.add(n[Act.KEYS + slot]);
            slot++;
        }
    }

    /**
     * The lines of the acts, in act order (the file then orders them by their sort keys).
     * <ul>
     *   <li>STOCK: one order, cancellation, return or receipt; ids from a small pool; one in ten with an event_id
     *       from a pool of three (same event_id on one product: one identity).</li>
     *   <li>ORDER_AND_CANCEL: an order line and its cancellation (the keys often put the cancellation first).</li>
     *   <li>HOLD, ARTICLE mode: a held with a reservation id of its own and (two times in three) its released,
     *       with the same quantity and no earlier event time; no expiry.</li>
     *   <li>HOLD, LIFECYCLE mode: reservation ids from a small pool (lines on several positions, acts collide);
     *       the held sometimes missing, a released sometimes (any quantity, any time: often before its held),
     *       zero to two orders that consume the reservation, usually at the hold's position, one time in eight
     *       with an event_id. Two helds of one identity always carry the same {@code expires_at} (a later one
     *       would extend the hold: the ledger's rule, checked in {@code ReplayTest}, not here); one time in
     *       three none.</li>
     *   <li>REDELIVER: an earlier event again: exactly, or (one time in three) with another event time (ARTICLE
     *       mode: a later one); each copy is spelled its own way (field order, time zone offset, unknown
     *       fields).</li>
     *   <li>CONFLICT: an earlier event (ARTICLE mode: a stock event) with the same identity and another
     *       payload: another quantity; on an order carrying a reservation_id another one; with an event_id,
     *       another warehouse.</li>
     *   <li>MALFORMED: one of {@link #MALFORMED}. BLANK: an empty or blank line (ignored, but numbered).</li>
     * </ul>
     * Orders consuming a hold have ids of their own ({@code ORD-R*}), never shared with plain orders: the
     * ledger lets an order carrying a reservation_id end that hold when the same order is already known
     * without one (the echo of an in-process confirm), a rule the SQL here does not state.
     */
    private static Sink build(Mode mode, List<Act> acts) {
        Sink sink = new Sink();
        for (int i = 0; i < acts.size(); i++) {
            int[] n = acts.get(i).n();
            sink.startAct(n);
            switch (acts.get(i).type()) {
                case STOCK -> {
                    EventKind kind = STOCK_KINDS[n[0] % STOCK_KINDS.length];
                    String eventId = n[6] % 10 == 9 ? "EVT-" + n[7] % EVENT_ID_POOL : null;
                    sink.add(new InventoryEvent(kind, idOf(kind, n[1] % ID_POOL), product(n[2]), warehouse(n[3]),
                            quantity(n[4]), time(n[5]), eventId, null, null));
                }
                case ORDER_AND_CANCEL -> {
                    String orderId = idOf(EventKind.ORDER_PLACED, n[1] % ID_POOL);
                    long q = quantity(n[4]);
                    sink.add(InventoryEvent.orderPlaced(orderId, product(n[2]), warehouse(n[3]), q, time(n[5])));
                    sink.add(InventoryEvent.orderCancelled(orderId, product(n[2]), warehouse(n[3]), 1 + n[6] % q,
                            time(n[7])));
                }
                case HOLD -> hold(mode, sink, i, n);
                case REDELIVER -> {
                    if (!sink.events.isEmpty()) {
                        InventoryEvent e = sink.events.get(n[0] % sink.events.size());
                        // ARTICLE mode: never earlier, so no release ever falls before its hold's time
                        Instant other = mode == Mode.ARTICLE ? e.eventTime().plusMillis(1 + n[2] % 5000) : time(n[2]);
                        sink.add(n[1] % 3 == 2 ? at(e, other) : e);
                    }
                }
                case CONFLICT -> {
                    List<InventoryEvent> targets = mode == Mode.ARTICLE
                            ? sink.events.stream().filter(e -> !e.kind().isReservation()).collect(Collectors.toList())
                            : sink.events;
                    if (!targets.isEmpty()) {
                        sink.add(conflicting(targets.get(n[0] % targets.size()), n));
                    }
                }
                case MALFORMED -> sink.add(new Line(null, MALFORMED.get(n[0] % MALFORMED.size())));
                case BLANK -> sink.add(new Line(null, n[0] % 2 == 0 ? "" : "   "));
                default -> throw new AssertionError(acts.get(i));
            }
        }
        return sink;
    }

    private static void hold(Mode mode, Sink sink, int act, int[] n) {
        String p = product(n[2]), w = warehouse(n[3]);
        long q = quantity(n[4]);
        if (mode == Mode.ARTICLE) {
            String reservationId = "RES-A" + act;
            sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5])));
            if (n[6] % 3 != 0) {
                sink.add(InventoryEvent.reservationReleased(reservationId, p, w, q,
                        time(n[5]).plusMillis(n[7] % 5000)));
            }
            return;
        }
        int reservation = n[1] % RESERVATION_POOL;
        String reservationId = "RES-" + reservation;
        if (n[8] % 5 != 4) {
            sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5]))
                    .withExpiresAt(expiry(reservation, n[2], n[3])));
        }
        if (n[6] % 3 == 2) {
            sink.add(InventoryEvent.reservationReleased(reservationId, p, w, n[9] % 2 == 0 ? q : quantity(n[9]),
                    time(n[7])));
        }
        int consumers = n[10] % 3;
        for (int k = 0; k < consumers; k++) {
            String orderWarehouse = n[11] % 4 == 3 ? warehouse(n[11] / 4 + k) : w;
            long orderQuantity = n[12] % 2 == 0 ? q : quantity(n[12] + k);
            InventoryEvent order = InventoryEvent.orderPlaced("ORD-R" + (n[13] + k) % ID_POOL, p, orderWarehouse,
                    orderQuantity, time(n[14] + k)).withReservationId(reservationId);
            sink.add(n[15] % 8 == 7 ? order.withEventId("EVT-" + (n[15] / 8 + k) % EVENT_ID_POOL) : order);
        }
    }

    /** Same identity, another payload. */
    private static InventoryEvent conflicting(InventoryEvent e, int[] n) {
        int how = n[1] % 3;
        if (how == 1 && e.kind() == EventKind.ORDER_PLACED && e.reservationId() != null) {
            return e.withReservationId(e.reservationId() + "-other");
        }
        if (how == 2 && e.eventId() != null) {
            String otherWarehouse = WAREHOUSES[(Arrays.asList(WAREHOUSES).indexOf(e.warehouseId()) + 1)
                    % WAREHOUSES.length];
            return new InventoryEvent(e.kind(), e.id(), e.productId(), otherWarehouse, e.quantity(), e.eventTime(),
                    e.eventId(), e.reservationId(), e.expiresAt());
        }
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity() + 1 + n[2] % 5,
                n[3] % 2 == 0 ? e.eventTime() : time(n[3]), e.eventId(), e.reservationId(), e.expiresAt());
    }

    private static InventoryEvent at(InventoryEvent e, Instant time) {
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity(), time, e.eventId(),
                e.reservationId(), e.expiresAt());
    }

    /** The expiry of a hold line is a function of its identity (one time in three: none). */
    private static Instant expiry(int reservation, int product, int warehouse) {
        int h = (reservation * 31 + product % PRODUCTS.length) * 7 + warehouse % WAREHOUSES.length;
        return h % 3 == 0 ? null : T0.plusMillis(h * 977L % SPAN_MILLIS);
    }

    private static String idOf(EventKind kind, int n) {
        return switch (kind) {
            case ORDER_PLACED, ORDER_CANCELLED -> "ORD-" + n;
            case RETURN_RECEIVED -> "RET-" + n;
            case STOCK_RECEIVED -> "RCPT-" + n;
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    private static String product(int n) {
        return PRODUCTS[n % PRODUCTS.length];
    }

    private static String warehouse(int n) {
        return WAREHOUSES[n % WAREHOUSES.length];
    }

    private static long quantity(int n) {
        return 1 + n % 20;
    }

    private static Instant time(int n) {
        return T0.plusMillis(n % SPAN_MILLIS);
    }

    // ------------------------------------------------------------------------------------ JSON lines

    private static final JsonFactory JSON = new JsonFactory();
    private static final ZoneOffset[] OFFSETS = {ZoneOffset.UTC, ZoneOffset.ofHoursMinutes(5, 30),
            ZoneOffset.ofHours(-8)};

    /**
     * The event as a line of the replay file, spelled one of several ways by {@code style}: the topic first
     * or last, times in UTC or at an offset (seconds omitted when zero), an unknown nested field or not.
     */
    private static String json(InventoryEvent e, int style) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            boolean topicLast = style % 2 == 1;
            ZoneOffset offset = OFFSETS[style / 2 % OFFSETS.length];
            g.writeStartObject();
            if (!topicLast) {
                g.writeStringField("topic", e.kind().defaultTopic());
            }
            g.writeStringField(e.kind().idField(), e.id());
            g.writeStringField("product_id", e.productId());
            g.writeStringField("warehouse_id", e.warehouseId());
            g.writeNumberField("quantity", e.quantity());
            if (e.kind().isReservation()) {
                g.writeStringField("status", e.kind() == EventKind.RESERVATION_HELD ? "held" : "released");
            } else if (e.reservationId() != null) {
                g.writeStringField("reservation_id", e.reservationId());
            }
            g.writeStringField("event_time", OffsetDateTime.ofInstant(e.eventTime(), offset).toString());
            if (e.expiresAt() != null) {
                g.writeStringField("expires_at", OffsetDateTime.ofInstant(e.expiresAt(), offset).toString());
            }
            if (e.eventId() != null) {
                g.writeStringField("event_id", e.eventId());
            }
            if (style / 6 % 4 == 3) {
                g.writeObjectFieldStart("source");
                g.writeStringField("topic", "not this one");
                g.writeArrayFieldStart("tags");
                g.writeNumber(1);
                g.writeEndArray();
                g.writeEndObject();
            }
            if (topicLast) {
                g.writeStringField("topic", e.kind().defaultTopic());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return text.toString();
    }
}
