package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ManualClock;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger against real SQL. DESIGN.md makes the article's {@code live_inventory} and
 * {@code live_inventory_with_holds} SQL the normative definition of the counts ("without expiry and safety
 * stock, the state after any set of events equals what the article's SQL computes over the same events after
 * duplicates are removed"). These properties generate random histories, feed them to a ledger, load the
 * de-duplicated events into H2 tables shaped like the article's Kafka sources, run the article's SQL on them,
 * and compare.
 *
 * <ol>
 *   <li>{@link #ledgerEqualsArticleSql}: available / held / sellable / lastUpdated and the set of positions
 *       versus {@code live_inventory} + {@code live_inventory_with_holds}; the {@link ApplyOutcome} of every
 *       apply versus a first-stands de-duplication.</li>
 *   <li>{@link #queriesEqualArticleExampleQueries}: {@code outOfStock()} and {@code belowReorderThreshold()}
 *       versus the article's two example queries.</li>
 *   <li>{@link #finalStateDoesNotDependOnArrivalOrder}: two shuffles of one duplicate-free set give equal
 *       {@code positions()}.</li>
 *   <li>{@link #redeliveringEverythingChangesNothing}: a second delivery of every event is a duplicate (or
 *       stays a conflict) and changes nothing.</li>
 *   <li>{@link #holdLifecycleEqualsSql}: the extended hold lifecycle (release before held, orders consuming a
 *       hold, releases and consuming orders without a held) versus SQL that states the ledger's rule.</li>
 * </ol>
 *
 * <p>Histories are built from a list of generated "acts" (each act is a kind plus raw numbers read modulo
 * their ranges, so they shrink toward the simplest event) and put in order by generated sort keys, one per
 * event (so that shrinking an act away leaves the order of the others alone). A failing property prints the
 * applied sequence, one event a line; counterexamples typically shrink to two or three events.
 *
 * <p>Every property runs 500 tries of up to about 200 events over 4 products × 3 warehouses; the class
 * takes well under 15 s.
 */
class LedgerMatchesSqlOracleProperties {

    // ------------------------------------------------------------------------------------ the universe

    /** Few products and warehouses, small id pools: collisions, duplicates and conflicts are common. */
    private static final String[] PRODUCTS = {"SKU-1", "SKU-2", "SKU-3", "SKU-4"};
    private static final String[] WAREHOUSES = {"WH-EAST", "WH-WEST", "WH-NORTH"};
    private static final int ID_POOL = 12;
    private static final int RESERVATION_POOL = 6;
    private static final int EVENT_ID_POOL = 4;
    private static final EventKind[] STOCK_KINDS = {EventKind.ORDER_PLACED, EventKind.ORDER_CANCELLED,
            EventKind.RETURN_RECEIVED, EventKind.STOCK_RECEIVED};
    /** Event times are millisecond-precise; some lie just before 1970 (negative epoch seconds). */
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Instant AROUND_EPOCH = Instant.parse("1969-12-31T23:59:58Z");

    // ------------------------------------------------------------------------------------ the SQL

    /** The article's five sources; RisingWave's CREATE SOURCE becomes a table, TIMESTAMPTZ is spelled out. */
    private static final String ARTICLE_SOURCES = """
            CREATE TABLE orders_source (
              order_id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR, quantity INT,
              event_time TIMESTAMP WITH TIME ZONE %s);
            CREATE TABLE cancellations_source (
              order_id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR, quantity INT,
              event_time TIMESTAMP WITH TIME ZONE);
            CREATE TABLE returns_source (
              return_id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR, quantity INT,
              event_time TIMESTAMP WITH TIME ZONE);
            CREATE TABLE receipts_source (
              receipt_id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR, quantity INT,
              event_time TIMESTAMP WITH TIME ZONE);
            CREATE TABLE reservations_source (
              reservation_id VARCHAR, product_id VARCHAR, warehouse_id VARCHAR, quantity INT,
              status VARCHAR, -- 'held' or 'released'
              event_time TIMESTAMP WITH TIME ZONE);
            CREATE TABLE product_catalog (product_id VARCHAR PRIMARY KEY, reorder_threshold INT);
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
     * Not from the article: what the ledger adds to it, each stated in SQL.
     * <ul>
     *   <li>{@code last_event_time}: DESIGN.md's lastUpdated is the greatest event time of ANY applied event,
     *       reservations included (the article's {@code last_updated_at} looks at the four stock sources).</li>
     *   <li>{@code reservation_only_holds}: positions that only reservation events touched. The ledger has a
     *       position for them (available 0); the article has none, because {@code live_inventory} comes from
     *       stock events only and {@code live_inventory_with_holds} LEFT JOINs from it. Their held is the
     *       article's own held expression over the same rows.</li>
     * </ul>
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
            """;

    /**
     * The ledger's hold lifecycle (property 5), which refines the article's "held minus released": a hold line
     * (reservation_id, product, warehouse) counts, with its held quantity, iff its {@code held} event was
     * applied and neither a {@code released} event nor an order carrying that reservation_id was applied for
     * the same product and warehouse. A release or a consuming order without a held contributes nothing.
     * Available stays the article's sum (a consuming order takes its own quantity, like any order).
     */
    private static final String LIFECYCLE_VIEWS = """
            CREATE VIEW active_hold_lines AS
            SELECT h.reservation_id, h.product_id, h.warehouse_id, h.quantity
            FROM reservations_source h
            WHERE h.status = 'held'
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

    private static final List<String> TABLES = List.of("orders_source", "cancellations_source", "returns_source",
            "receipts_source", "reservations_source", "product_catalog");

    /** One private in-memory H2 database per schema, for the whole class; tables are emptied before each try. */
    private static Connection articleDb;
    private static Connection lifecycleDb;

    @BeforeContainer
    static void openDatabases() throws SQLException {
        articleDb = DriverManager.getConnection("jdbc:h2:mem:");
        run(articleDb, ARTICLE_SOURCES.formatted("") + ARTICLE_VIEWS + LEDGER_VIEWS);
        // the lifecycle's orders carry the reservation they consume
        lifecycleDb = DriverManager.getConnection("jdbc:h2:mem:");
        run(lifecycleDb, ARTICLE_SOURCES.formatted(", reservation_id VARCHAR") + ARTICLE_VIEWS + LEDGER_VIEWS
                + LIFECYCLE_VIEWS);
    }

    @AfterContainer
    static void closeDatabases() throws SQLException {
        if (articleDb != null) {
            articleDb.close();
        }
        if (lifecycleDb != null) {
            lifecycleDb.close();
        }
    }

    private static void run(Connection db, String script) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String sql : script.split(";\\s*\\n")) {
                if (!sql.isBlank()) {
                    st.execute(sql);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ properties

    /**
     * 1. The article's SQL oracle. Every event kind, cancellations before their orders, held/released pairs of
     * equal quantity (released often first), holds never released, exact and time-shifted redeliveries,
     * conflicting duplicates of stock events, a few events with an event_id; shuffled.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void ledgerEqualsArticleSql(@ForAll("articleHistories") History history) throws SQLException {
        InventoryLedger ledger = newLedger();
        List<ApplyOutcome> outcomes = applyAll(ledger, history.events());

        FirstStands oracle = FirstStands.of(history.events());
        assertThat(outcomes).as("ApplyOutcome of each apply, in applied order").isEqualTo(oracle.outcomes());

        load(articleDb, oracle.survivors(), false, Map.of());
        Map<String, Instant> lastEvent = lastEventTimes(articleDb);
        List<Position> expected = new ArrayList<>();
        try (Statement st = articleDb.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, available_quantity, held_quantity, "
                     + "sellable_quantity FROM live_inventory_with_holds")) {
            while (rs.next()) {
                String p = rs.getString(1), w = rs.getString(2);
                expected.add(new Position(p, w, rs.getLong(3), rs.getLong(4), 0, rs.getLong(5),
                        lastEvent.get(key(p, w))));
            }
        }
        // Positions touched only by reservation events: in the ledger (available 0), not in the article's
        // LEFT JOIN from live_inventory. Their held is the article's expression over the same rows.
        try (Statement st = articleDb.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT product_id, warehouse_id, held_quantity FROM reservation_only_holds")) {
            while (rs.next()) {
                String p = rs.getString(1), w = rs.getString(2);
                long held = rs.getLong(3);
                expected.add(new Position(p, w, 0, held, 0, -held, lastEvent.get(key(p, w))));
            }
        }
        // The article's own last_updated_at (stock events only) never exceeds the ledger's lastUpdated.
        try (Statement st = articleDb.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, last_updated_at FROM live_inventory")) {
            while (rs.next()) {
                Instant articleLast = rs.getObject(3, OffsetDateTime.class).toInstant();
                Position p = ledger.position(rs.getString(1), rs.getString(2));
                assertThat(p.lastUpdated()).as("lastUpdated of %s vs article's last_updated_at", p)
                        .isAfterOrEqualTo(articleLast);
            }
        }

        assertPositions(ledger, expected);
    }

    /**
     * 2. The article's two example queries over the same kind of history: out of stock (with the contract's
     * {@code <= 0}) and below reorder threshold (catalog with random thresholds, some products missing).
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void queriesEqualArticleExampleQueries(@ForAll("articleHistories") History history) throws SQLException {
        InventoryLedger ledger = newLedger();
        applyAll(ledger, history.events());
        load(articleDb, FirstStands.of(history.events()).survivors(), false, history.catalog());

        // The article's out-of-stock query, with the contract's "<= 0" for the article's "= 0"; plus products
        // that only reservation events touched: the ledger knows them with available 0 everywhere (so total
        // <= 0, DESIGN.md: "out-of-stock products (total available <= 0)"); the article does not know them.
        Set<String> expectedOut = new TreeSet<>(strings(articleDb, """
                SELECT product_id, SUM(available_quantity) AS total_stock
                FROM live_inventory
                GROUP BY product_id
                HAVING SUM(available_quantity) <= 0"""));
        expectedOut.addAll(strings(articleDb, "SELECT DISTINCT product_id FROM reservations_source "
                + "WHERE product_id NOT IN (SELECT product_id FROM live_inventory)"));
        List<String> out = ledger.outOfStock();
        assertThat(out).as("outOfStock()").containsExactlyElementsOf(expectedOut);
        assertThat(out).as("the article's literal '= 0' result is part of outOfStock()")
                .containsAll(strings(articleDb, "SELECT product_id, SUM(available_quantity) AS total_stock "
                        + "FROM live_inventory GROUP BY product_id HAVING SUM(available_quantity) = 0"));

        // The article's reorder query verbatim; plus reservation-only positions (available 0), as above.
        Set<String> expectedBelow = new TreeSet<>(strings(articleDb, """
                SELECT
                li.product_id || '|' || li.warehouse_id || '|' || li.available_quantity,
                p.reorder_threshold
                FROM live_inventory li
                JOIN product_catalog p ON li.product_id = p.product_id
                WHERE li.available_quantity < p.reorder_threshold"""));
        expectedBelow.addAll(strings(articleDb, """
                SELECT r.product_id || '|' || r.warehouse_id || '|0', p.reorder_threshold
                FROM reservation_only_holds r
                JOIN product_catalog p ON r.product_id = p.product_id
                WHERE 0 < p.reorder_threshold"""));
        Map<String, Integer> catalog = history.catalog();
        List<Position> below = ledger.belowReorderThreshold(
                product -> catalog.containsKey(product) ? OptionalLong.of(catalog.get(product)) : OptionalLong.empty());
        assertThat(below.stream().map(p -> p.productId() + "|" + p.warehouseId() + "|" + p.available()).toList())
                .as("belowReorderThreshold(catalog %s) as (product|warehouse|available)", catalog)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expectedBelow);
        assertThat(below).as("sorted by product then warehouse").isSortedAccordingTo(BY_POSITION);
    }

    /**
     * 3. Order independence: one duplicate-free, conflict-free set (orders consuming holds, releases before
     * helds, cancellations before orders, releases and consuming orders without a held) applied in two
     * shuffles gives equal positions().
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void finalStateDoesNotDependOnArrivalOrder(@ForAll("distinctLifecycleHistories") History history) {
        InventoryLedger first = newLedger();
        InventoryLedger second = newLedger();
        assertThat(applyAll(first, history.events())).as("outcomes, first order")
                .allMatch(ApplyOutcome::applied);
        assertThat(applyAll(second, history.secondOrder())).as("outcomes, second order")
                .allMatch(ApplyOutcome::applied);
        assertThat(sorted(second.positions())).as("positions() after the second order")
                .containsExactlyElementsOf(sorted(first.positions()));
        assertThat(second.outOfStock()).isEqualTo(first.outOfStock());
    }

    /**
     * 4. Idempotency: after a history (duplicates and conflicts included) is applied, delivering every one of
     * its events again, in another order and some with another event time, gives DUPLICATE for each, except
     * the losers of a conflict, which stay CONFLICT; and positions() does not change at all.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void redeliveringEverythingChangesNothing(@ForAll("lifecycleHistories") History history) {
        InventoryLedger ledger = newLedger();
        List<ApplyOutcome> firstPass = applyAll(ledger, history.events());
        List<Position> before = sorted(ledger.positions());

        // the second order is a reshuffle of the same events, a quarter of them with a later event time
        Map<InventoryEvent, ApplyOutcome> firstOutcome = new HashMap<>();
        for (int i = 0; i < firstPass.size(); i++) {
            firstOutcome.merge(history.events().get(i), firstPass.get(i), (a, b) -> a);
        }
        List<InventoryEvent> again = history.secondOrder();
        List<InventoryEvent> originals = history.secondOrderOriginals();
        for (int i = 0; i < again.size(); i++) {
            ApplyOutcome was = firstOutcome.get(originals.get(i));
            ApplyOutcome expected = was == ApplyOutcome.CONFLICT ? ApplyOutcome.CONFLICT : ApplyOutcome.DUPLICATE;
            assertThat(ledger.apply(again.get(i))).as("second delivery of %s (first time %s)", again.get(i), was)
                    .isEqualTo(expected);
        }
        assertThat(sorted(ledger.positions())).as("positions() after every event again")
                .containsExactlyElementsOf(before);
    }

    /**
     * 5. The hold lifecycle in SQL: orders with a reservation_id consuming a hold, releases, releases before
     * holds, consuming orders before holds, releases and consuming orders with no held at all, reservations
     * with lines on several positions, conflicting duplicates of every kind (including an order's reservation
     * id). Every position, count and lastUpdated versus {@code lifecycle_positions}.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void holdLifecycleEqualsSql(@ForAll("lifecycleHistories") History history) throws SQLException {
        InventoryLedger ledger = newLedger();
        List<ApplyOutcome> outcomes = applyAll(ledger, history.events());
        FirstStands oracle = FirstStands.of(history.events());
        assertThat(outcomes).as("ApplyOutcome of each apply, in applied order").isEqualTo(oracle.outcomes());

        load(lifecycleDb, oracle.survivors(), true, Map.of());
        List<Position> expected = new ArrayList<>();
        try (Statement st = lifecycleDb.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, available_quantity, held_quantity, "
                     + "sellable_quantity, last_event_at FROM lifecycle_positions")) {
            while (rs.next()) {
                expected.add(new Position(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), 0,
                        rs.getLong(5), rs.getObject(6, OffsetDateTime.class).toInstant()));
            }
        }
        assertPositions(ledger, expected);
    }

    // ------------------------------------------------------------------------------------ comparisons

    private static InventoryLedger newLedger() {
        // no defaultHoldTtl and no expires_at anywhere: holds never lapse, the clock never matters
        return InventoryLedger.builder().clock(new ManualClock()).build();
    }

    private static List<ApplyOutcome> applyAll(InventoryLedger ledger, List<InventoryEvent> events) {
        List<ApplyOutcome> outcomes = new ArrayList<>(events.size());
        for (InventoryEvent e : events) {
            outcomes.add(ledger.apply(e));
        }
        return outcomes;
    }

    private static final Comparator<Position> BY_POSITION =
            Comparator.comparing(Position::productId).thenComparing(Position::warehouseId);

    private static List<Position> sorted(List<Position> positions) {
        List<Position> copy = new ArrayList<>(positions);
        copy.sort(BY_POSITION);
        return copy;
    }

    /** positions() as a set equals the expected one exactly, and every point read agrees with it. */
    private static void assertPositions(InventoryLedger ledger, List<Position> expected) {
        assertThat(ledger.audit().isClean()).as("audit: held counters match the holds").isTrue();
        List<Position> want = sorted(expected);
        assertThat(sorted(ledger.positions())).as("positions()").containsExactlyElementsOf(want);
        for (Position p : want) {
            String where = p.productId() + "@" + p.warehouseId();
            assertThat(ledger.position(p.productId(), p.warehouseId())).as("position(%s)", where).isEqualTo(p);
            assertThat(ledger.available(p.productId(), p.warehouseId())).as("available(%s)", where)
                    .isEqualTo(p.available());
            assertThat(ledger.held(p.productId(), p.warehouseId())).as("held(%s)", where).isEqualTo(p.held());
            assertThat(ledger.sellable(p.productId(), p.warehouseId())).as("sellable(%s)", where)
                    .isEqualTo(p.sellable());
        }
    }

    private static String key(String product, String warehouse) {
        return product + "@" + warehouse;
    }

    private static Map<String, Instant> lastEventTimes(Connection db) throws SQLException {
        Map<String, Instant> out = new HashMap<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, last_event_at FROM last_event_time")) {
            while (rs.next()) {
                out.put(key(rs.getString(1), rs.getString(2)), rs.getObject(3, OffsetDateTime.class).toInstant());
            }
        }
        return out;
    }

    /** The first column of a query, as strings. */
    private static List<String> strings(Connection db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Empties the tables and inserts the surviving events, each into its article source, and the catalog. */
    private static void load(Connection db, List<InventoryEvent> survivors, boolean ordersCarryReservation,
                             Map<String, Integer> catalog) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String table : TABLES) {
                st.execute("TRUNCATE TABLE " + table);
            }
        }
        String orderColumns = ordersCarryReservation ? "(order_id, product_id, warehouse_id, quantity, event_time, "
                + "reservation_id) VALUES (?, ?, ?, ?, ?, ?)" : " VALUES (?, ?, ?, ?, ?)";
        Map<EventKind, PreparedStatement> inserts = new LinkedHashMap<>();
        try {
            inserts.put(EventKind.ORDER_PLACED, db.prepareStatement("INSERT INTO orders_source " + orderColumns));
            String fiveValues = " VALUES (?, ?, ?, ?, ?)";
            inserts.put(EventKind.ORDER_CANCELLED,
                    db.prepareStatement("INSERT INTO cancellations_source" + fiveValues));
            inserts.put(EventKind.RETURN_RECEIVED, db.prepareStatement("INSERT INTO returns_source" + fiveValues));
            inserts.put(EventKind.STOCK_RECEIVED, db.prepareStatement("INSERT INTO receipts_source" + fiveValues));
            PreparedStatement reservations = db.prepareStatement("INSERT INTO reservations_source "
                    + "(reservation_id, product_id, warehouse_id, quantity, status, event_time) "
                    + "VALUES (?, ?, ?, ?, ?, ?)");
            inserts.put(EventKind.RESERVATION_HELD, reservations);
            for (InventoryEvent e : survivors) {
                PreparedStatement ps = e.kind().isReservation() ? reservations : inserts.get(e.kind());
                ps.setString(1, e.id());
                ps.setString(2, e.productId());
                ps.setString(3, e.warehouseId());
                ps.setInt(4, Math.toIntExact(e.quantity()));
                OffsetDateTime time = OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC);
                if (e.kind().isReservation()) {
                    ps.setString(5, e.kind() == EventKind.RESERVATION_HELD ? "held" : "released");
                    ps.setObject(6, time);
                } else {
                    ps.setObject(5, time);
                    if (ordersCarryReservation && e.kind() == EventKind.ORDER_PLACED) {
                        ps.setString(6, e.reservationId());
                    }
                }
                ps.addBatch();
            }
            for (PreparedStatement ps : inserts.values()) {
                ps.executeBatch();
            }
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO product_catalog VALUES (?, ?)")) {
                for (Map.Entry<String, Integer> c : catalog.entrySet()) {
                    ps.setString(1, c.getKey());
                    ps.setInt(2, c.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } finally {
            for (PreparedStatement ps : inserts.values()) {
                ps.close();
            }
        }
    }

    /**
     * The contract's de-duplication: identity = event_id when present (scoped to the product), else (kind,
     * id, product, warehouse); payload = quantity, on an order its reservation id, and with an event_id also
     * kind, id and warehouse (the event time is not payload). In applied order, the first event of an
     * identity stands (APPLIED); a later one with the same payload is a DUPLICATE, with another a CONFLICT.
     */
    record FirstStands(List<InventoryEvent> survivors, List<ApplyOutcome> outcomes) {
        static FirstStands of(List<InventoryEvent> applied) {
            Map<List<Object>, List<Object>> seen = new HashMap<>();
            List<InventoryEvent> survivors = new ArrayList<>();
            List<ApplyOutcome> outcomes = new ArrayList<>();
            for (InventoryEvent e : applied) {
                List<Object> payload = payload(e);
                List<Object> first = seen.putIfAbsent(identity(e), payload);
                if (first == null) {
                    survivors.add(e);
                    outcomes.add(ApplyOutcome.APPLIED);
                } else {
                    outcomes.add(first.equals(payload) ? ApplyOutcome.DUPLICATE : ApplyOutcome.CONFLICT);
                }
            }
            return new FirstStands(survivors, outcomes);
        }

        static List<Object> identity(InventoryEvent e) {
            return e.eventId() != null ? Arrays.asList("event_id", e.productId(), e.eventId())
                    : Arrays.asList(e.kind(), e.id(), e.productId(), e.warehouseId());
        }

        static List<Object> payload(InventoryEvent e) {
            List<Object> p = new ArrayList<>(Arrays.asList(e.quantity(),
                    e.kind() == EventKind.ORDER_PLACED ? e.reservationId() : null));
            if (e.eventId() != null) {
                p.addAll(Arrays.asList(e.kind(), e.id(), e.warehouseId()));
            }
            return p;
        }
    }

    // ------------------------------------------------------------------------------------ generators

    /**
     * A generated history: the events in the order they are applied; in LIFECYCLE mode (properties 3 to 5) a
     * second order of the same events ({@link #secondOrder}, some re-timed for property 4,
     * {@link #secondOrderOriginals} being the same events before re-timing); in ARTICLE mode (properties 1 and
     * 2) a product catalog (product → reorder threshold; products missing from it are not in the catalog).
     */
    record History(List<InventoryEvent> events, List<InventoryEvent> secondOrder,
                   List<InventoryEvent> secondOrderOriginals, Map<String, Integer> catalog) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("History of ").append(events.size())
                    .append(" events, applied in this order:");
            for (int i = 0; i < events.size(); i++) {
                b.append("\n  #").append(i).append(' ').append(events.get(i));
            }
            if (!catalog.isEmpty()) {
                b.append("\n  catalog ").append(catalog);
            }
            if (!secondOrder.isEmpty()) {
                b.append("\n  second order:");
                for (int i = 0; i < secondOrder.size(); i++) {
                    b.append("\n  #").append(i).append(' ').append(secondOrder.get(i));
                }
            }
            return b.toString();
        }
    }

    /** What a generated act adds to the history. */
    enum ActType { STOCK, ORDER_AND_CANCEL, HOLD, REDELIVER, CONFLICT }

    /** One generated act: raw numbers, read modulo their ranges when the history is built (0 is simplest). */
    record Act(ActType type, int[] n) {
        /** Events one act adds at most (a held, a released and two consuming orders). */
        static final int MAX_EVENTS = 4;
        /** Where the sort keys start: one per event for the first order, the second order, re-timing. */
        static final int KEYS = 16;
        static final int SIZE = KEYS + 3 * MAX_EVENTS;

        @Override
        public String toString() {
            return type + Arrays.toString(n);
        }
    }

    private enum Mode {
        /** Property 1 and 2: what the article's SQL can express exactly (see {@link #build}). */
        ARTICLE,
        /** Properties 3 to 5: the ledger's whole hold lifecycle. */
        LIFECYCLE
    }

    @Provide
    Arbitrary<History> articleHistories() {
        return histories(Mode.ARTICLE, false, false);
    }

    @Provide
    Arbitrary<History> lifecycleHistories() {
        return histories(Mode.LIFECYCLE, false, true);
    }

    @Provide
    Arbitrary<History> distinctLifecycleHistories() {
        return histories(Mode.LIFECYCLE, true, false);
    }

    private static Arbitrary<History> histories(Mode mode, boolean distinct, boolean retime) {
        Arbitrary<int[]> numbers = Arbitraries.integers().between(0, 1 << 20).array(int[].class).ofSize(Act.SIZE);
        Arbitrary<ActType> types = Arbitraries.frequency(Tuple.of(34, ActType.STOCK),
                Tuple.of(12, ActType.ORDER_AND_CANCEL), Tuple.of(22, ActType.HOLD), Tuple.of(16, ActType.REDELIVER),
                Tuple.of(16, ActType.CONFLICT));
        Arbitrary<List<Act>> acts = Combinators.combine(types, numbers).as(Act::new).list().ofMaxSize(110)
                .withSizeDistribution(RandomDistribution.uniform());
        // a catalog: each product has a threshold, or (one time in four) is missing
        Arbitrary<List<Integer>> thresholds = Arbitraries.integers().between(-5, 40).injectNull(0.25)
                .list().ofSize(PRODUCTS.length);
        return Combinators.combine(acts, thresholds).as((a, t) -> history(mode, distinct, retime, a, t));
    }

    /**
     * Orders the built events by their generated sort keys (ties: build order), so that shrinking an act away
     * leaves the order of the others as it was, and a key shrunk to 0 moves its event toward build order.
     */
    private static History history(Mode mode, boolean distinct, boolean retime, List<Act> acts,
                                   List<Integer> thresholds) {
        Sink built = build(mode, acts);
        List<Integer> kept = new ArrayList<>();
        Set<List<Object>> identities = new HashSet<>();
        for (int i = 0; i < built.events.size(); i++) {
            if (!distinct || identities.add(FirstStands.identity(built.events.get(i)))) {
                kept.add(i);
            }
        }
        List<InventoryEvent> first = inOrderOf(built, kept, 0);
        List<InventoryEvent> originals = inOrderOf(built, kept, 1);
        List<InventoryEvent> second = new ArrayList<>(originals);
        if (retime) {
            List<Integer> byKey = new ArrayList<>(kept);
            byKey.sort(Comparator.comparingInt((Integer i) -> built.keys.get(i)[1]).thenComparingInt(i -> i));
            for (int j = 0; j < byKey.size(); j++) {
                int r = built.keys.get(byKey.get(j))[2];
                if (r % 4 == 3) { // a quarter of the second deliveries carry a later event time
                    second.set(j, at(second.get(j), second.get(j).eventTime().plusMillis(1 + r % 5000)));
                }
            }
        }
        if (mode != Mode.ARTICLE) {
            return new History(first, second, originals, Map.of());
        }
        Map<String, Integer> catalog = new LinkedHashMap<>();
        for (int i = 0; i < PRODUCTS.length; i++) {
            if (thresholds.get(i) != null) {
                catalog.put(PRODUCTS[i], thresholds.get(i));
            }
        }
        return new History(first, List.of(), List.of(), catalog);
    }

    private static List<InventoryEvent> inOrderOf(Sink built, List<Integer> kept, int key) {
        List<Integer> byKey = new ArrayList<>(kept);
        byKey.sort(Comparator.comparingInt((Integer i) -> built.keys.get(i)[key]).thenComparingInt(i -> i));
        return byKey.stream().map(built.events::get).collect(Collectors.toList());
    }

    /** The built events, in build order, each with its keys: first order, second order, re-timing. */
    private static final class Sink {
        final List<InventoryEvent> events = new ArrayList<>();
        final List<int[]> keys = new ArrayList<>();
        private int[] n;
        private int slot;

        void startAct(int[] numbers) {
            n = numbers;
            slot = 0;
        }

        void add(InventoryEvent e) {
            events.add(e);
            keys.add(new int[] {n[Act.KEYS + slot], n[Act.KEYS + Act.MAX_EVENTS + slot],
                    n[Act.KEYS + 2 * Act.MAX_EVENTS + slot]});
            slot++;
        }
    }

    /**
     * The events of the acts, in act order (the history then orders them by their sort keys).
     * <ul>
     *   <li>STOCK: one order, cancellation, return or receipt; ids from a small pool; one in ten with an event_id
     *       from a pool of four (same event_id on one product: one identity; on another product: another).</li>
     *   <li>ORDER_AND_CANCEL: an order line and its cancellation (the keys often put the cancellation first).</li>
     *   <li>HOLD, ARTICLE mode: a held with a reservation id of its own, and (two times in three) its released
     *       with the same quantity. Only what the article's "held minus released" computes exactly: no release
     *       without its held, no conflicting reservation events, no reservation id on orders.</li>
     *   <li>HOLD, LIFECYCLE mode: reservation ids from a small pool (a reservation may have lines on several
     *       positions, and acts collide); the held is sometimes missing; a released sometimes; zero to two orders
     *       that consume the reservation, usually on the hold's position, sometimes on another warehouse, with
     *       the hold's quantity or another, one time in eight with an event_id.</li>
     *   <li>REDELIVER: an earlier event again, exactly or (one time in three) with another event time.</li>
     *   <li>CONFLICT: an earlier event (ARTICLE mode: a stock event only) with the same identity and another
     *       payload: another quantity; on an order (LIFECYCLE mode) another reservation id; with an event_id,
     *       another warehouse.</li>
     * </ul>
     */
    private static Sink build(Mode mode, List<Act> acts) {
        Sink sink = new Sink();
        List<InventoryEvent> out = sink.events;
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
                case HOLD -> {
                    String p = product(n[2]), w = warehouse(n[3]);
                    long q = quantity(n[4]);
                    if (mode == Mode.ARTICLE) {
                        String reservationId = "RES-A" + i;
                        sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5])));
                        if (n[6] % 3 != 0) {
                            sink.add(InventoryEvent.reservationReleased(reservationId, p, w, q, time(n[7])));
                        }
                    } else {
                        String reservationId = "RES-" + n[1] % RESERVATION_POOL;
                        if (n[8] % 5 != 4) {
                            sink.add(InventoryEvent.reservationHeld(reservationId, p, w, q, time(n[5])));
                        }
                        if (n[6] % 3 == 2) {
                            sink.add(InventoryEvent.reservationReleased(reservationId, p, w,
                                    n[9] % 2 == 0 ? q : quantity(n[9]), time(n[7])));
                        }
                        int consumers = n[10] % 3;
                        for (int k = 0; k < consumers; k++) {
                            String orderWarehouse = n[11] % 4 == 3 ? warehouse(n[11] / 4 + k) : w;
                            long orderQuantity = n[12] % 2 == 0 ? q : quantity(n[12] + k);
                            InventoryEvent order = InventoryEvent.orderPlaced(idOf(EventKind.ORDER_PLACED,
                                    (n[13] + k) % ID_POOL), p, orderWarehouse, orderQuantity, time(n[14] + k));
                            if (n[15] % 8 == 7) {
                                order = order.withEventId("EVT-" + (n[15] / 8 + k) % EVENT_ID_POOL);
                            }
                            sink.add(order.withReservationId(reservationId));
                        }
                    }
                }
                case REDELIVER -> {
                    if (!out.isEmpty()) {
                        InventoryEvent e = out.get(n[0] % out.size());
                        sink.add(n[1] % 3 == 2 ? at(e, time(n[2])) : e);
                    }
                }
                case CONFLICT -> {
                    List<InventoryEvent> targets = mode == Mode.ARTICLE
                            ? out.stream().filter(e -> !e.kind().isReservation()).collect(Collectors.toList())
                            : out;
                    if (!targets.isEmpty()) {
                        sink.add(conflicting(mode, targets.get(n[0] % targets.size()), n));
                    }
                }
                default -> throw new AssertionError(acts.get(i));
            }
        }
        return sink;
    }

    /** Same identity, another payload. */
    private static InventoryEvent conflicting(Mode mode, InventoryEvent e, int[] n) {
        Instant t = n[3] % 2 == 0 ? e.eventTime() : time(n[3]);
        int how = n[1] % 3;
        if (how == 1 && mode == Mode.LIFECYCLE && e.kind() == EventKind.ORDER_PLACED) {
            String reservationId = e.reservationId() == null ? "RES-" + n[2] % RESERVATION_POOL
                    : n[2] % 2 == 0 ? null : e.reservationId() + "-other";
            return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity(), t,
                    e.eventId(), reservationId, null);
        }
        if (how == 2 && e.eventId() != null) {
            String otherWarehouse = WAREHOUSES[(Arrays.asList(WAREHOUSES).indexOf(e.warehouseId()) + 1 + n[2] % 2)
                    % WAREHOUSES.length];
            return new InventoryEvent(e.kind(), e.id(), e.productId(), otherWarehouse, e.quantity(), t,
                    e.eventId(), e.reservationId(), null);
        }
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity() + 1 + n[2] % 5, t,
                e.eventId(), e.reservationId(), null);
    }

    private static InventoryEvent at(InventoryEvent e, Instant time) {
        return new InventoryEvent(e.kind(), e.id(), e.productId(), e.warehouseId(), e.quantity(), time, e.eventId(),
                e.reservationId(), e.expiresAt());
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

    /** Millisecond-precise; one time in seven within four seconds of 1970 (either side), else in 2026. */
    private static Instant time(int n) {
        return (n % 7 == 6 ? AROUND_EPOCH : NOW).plusMillis(n % 4000);
    }
}
