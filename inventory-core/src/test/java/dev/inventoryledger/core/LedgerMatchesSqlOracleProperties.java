package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.ArticleSql;
import dev.inventoryledger.core.testkit.HistoryGenerator;
import dev.inventoryledger.core.testkit.HistoryGenerator.GeneratedEvent;
import dev.inventoryledger.core.testkit.HistoryGenerator.Mode;
import dev.inventoryledger.core.testkit.ManualClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger against real SQL. The README makes the article's {@code live_inventory} and
 * {@code live_inventory_with_holds} SQL the normative definition of the counts ("without expiry and safety
 * stock, the state after any set of events equals what the article's SQL computes over the same events after
 * duplicates are removed"). These properties generate random histories, feed them to a ledger, load the
 * de-duplicated events into H2 tables shaped like the article's Kafka sources, run the article's SQL on them
 * ({@link ArticleSql}: the SQL stands there once, shared with the replay's properties in examples), and
 * compare.
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
 *   <li>{@link #holdLifecycleEqualsSql}: the extended hold lifecycle (partial releases and over-releases,
 *       release before held, orders consuming a hold, releases and consuming orders without a held) versus SQL
 *       that states the ledger's rule, and the over-released lines it reports versus SQL.</li>
 * </ol>
 *
 * <p>Histories come from the testkit's {@link HistoryGenerator} (generated acts, put in order by generated
 * sort keys, one per event); its class comment says what each act adds. A failing property prints the
 * applied sequence, one event a line; counterexamples typically shrink to two or three events.
 *
 * <p>Every property runs 500 tries of up to about 200 events over 4 products × 3 warehouses; the class
 * takes well under 15 s.
 */
class LedgerMatchesSqlOracleProperties {

    // ------------------------------------------------------------------------------------ the universe

    /** Event times are millisecond-precise; some lie just before 1970 (negative epoch seconds). */
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Instant AROUND_EPOCH = Instant.parse("1969-12-31T23:59:58Z");
    /** A dedup horizon longer than any history here. */
    static final java.time.Duration WHOLE_HISTORY = java.time.Duration.ofDays(365L * 200);
    private static final List<String> PRODUCTS = List.of("SKU-1", "SKU-2", "SKU-3", "SKU-4");

    /** Few products and warehouses, small id pools: collisions, duplicates and conflicts are common. */
    private static final HistoryGenerator HISTORIES = HistoryGenerator
            .builder(PRODUCTS, List.of("WH-EAST", "WH-WEST", "WH-NORTH"), LedgerMatchesSqlOracleProperties::time)
            .idPools(12, 6, 4)
            .acts(110, 34, 12, 22, 16, 16)
            .build();

    // ------------------------------------------------------------------------------------ the SQL

    /** One private in-memory H2 database for the whole class: the article's sources as tables, refilled each try. */
    private static Connection db;

    @BeforeContainer
    static void openDatabase() throws SQLException {
        db = DriverManager.getConnection("jdbc:h2:mem:");
        ArticleSql.createSourceTables(db);
        ArticleSql.createViews(db);
    }

    @AfterContainer
    static void closeDatabase() throws SQLException {
        if (db != null) {
            db.close();
        }
    }

    // ------------------------------------------------------------------------------------ properties

    /**
     * 1. The article's SQL oracle. Every event kind, cancellations before their orders, holds released in whole
     * or in part (in one or two releases; released often first), holds never released, exact and time-shifted
     * redeliveries, conflicting duplicates of stock events, a few events with an event_id; shuffled.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void ledgerEqualsArticleSql(@ForAll("articleHistories") History history) throws SQLException {
        InventoryLedger ledger = ledgerBesideTheSqlSources(history.events(), FirstStands.of(history.events()));

        // live_inventory_with_holds, plus the positions only reservation events touched (in the ledger with
        // available 0, not in the article's LEFT JOIN from live_inventory), each with the ledger's lastUpdated
        List<Position> expected = positionsIn("article_positions");
        // The article's own last_updated_at (stock events only) never exceeds the ledger's lastUpdated.
        try (Statement st = db.createStatement();
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
        fill(FirstStands.of(history.events()).survivors(), history.catalog());

        // The article's out-of-stock query, with the contract's "<= 0" for the article's "= 0"; plus products
        // that only reservation events touched: the ledger knows them with available 0 everywhere (so total
        // <= 0, the README: out of stock is total available <= 0); the article does not know them.
        Set<String> expectedOut = new TreeSet<>(strings("""
                SELECT product_id, SUM(available_quantity) AS total_stock
                FROM live_inventory
                GROUP BY product_id
                HAVING SUM(available_quantity) <= 0"""));
        expectedOut.addAll(strings("SELECT DISTINCT product_id FROM reservations_source "
                + "WHERE product_id NOT IN (SELECT product_id FROM live_inventory)"));
        List<String> out = ledger.outOfStock();
        assertThat(out).as("outOfStock()").containsExactlyElementsOf(expectedOut);
        assertThat(out).as("the article's literal '= 0' result is part of outOfStock()")
                .containsAll(strings("SELECT product_id, SUM(available_quantity) AS total_stock "
                        + "FROM live_inventory GROUP BY product_id HAVING SUM(available_quantity) = 0"));

        // The article's reorder query verbatim; plus reservation-only positions (available 0), as above.
        Set<String> expectedBelow = new TreeSet<>(strings("""
                SELECT
                li.product_id || '|' || li.warehouse_id || '|' || li.available_quantity,
                p.reorder_threshold
                FROM live_inventory li
                JOIN product_catalog p ON li.product_id = p.product_id
                WHERE li.available_quantity < p.reorder_threshold"""));
        expectedBelow.addAll(strings("""
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
     * helds, partial and over-releases, cancellations before orders, releases and consuming orders without a
     * held) applied in two shuffles gives equal positions(); each order reports every over-released line once
     * (on the event that reveals it, which depends on the order) and nothing else.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void finalStateDoesNotDependOnArrivalOrder(@ForAll("distinctLifecycleHistories") History history) {
        InventoryLedger first = newLedger();
        InventoryLedger second = newLedger();
        FirstStands firstOracle = FirstStands.of(history.events());
        FirstStands secondOracle = FirstStands.of(history.secondOrder());
        assertThat(applyAll(first, history.events())).as("outcomes, first order")
                .isEqualTo(firstOracle.outcomes());
        assertThat(applyAll(second, history.secondOrder())).as("outcomes, second order")
                .isEqualTo(secondOracle.outcomes());
        assertThat(secondOracle.overReleased()).isEqualTo(firstOracle.overReleased());
        assertThat(sorted(second.positions())).as("positions() after the second order")
                .containsExactlyElementsOf(sorted(first.positions()));
        assertThat(second.outOfStock()).isEqualTo(first.outOfStock());
    }

    /**
     * 4. Idempotency: after a history (duplicates and conflicts included) is applied, delivering every one of
     * its events again, in another order and some with another event time, gives DUPLICATE for each, except
     * the losers of a conflict, which stay CONFLICT (an over-release was applied, so its copy is a plain
     * DUPLICATE); and positions() does not change at all.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void redeliveringEverythingChangesNothing(@ForAll("lifecycleHistories") History history) {
        InventoryLedger ledger = newLedger();
        List<ApplyOutcome> firstPass = applyAll(ledger, history.events());
        assertThat(firstPass).as("ApplyOutcome of each apply, in applied order")
                .isEqualTo(FirstStands.of(history.events()).outcomes());
        List<Position> before = sorted(ledger.positions());

        // the second order is a reshuffle of the same events, a quarter of them with a later event time
        Map<InventoryEvent, ApplyOutcome> firstOutcome = new HashMap<>();
        List<ApplyOutcome> identityOutcomes = FirstStands.of(history.events()).identityOutcomes();
        for (int i = 0; i < firstPass.size(); i++) {
            firstOutcome.merge(history.events().get(i), identityOutcomes.get(i), (a, b) -> a);
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
     * 5. The hold lifecycle in SQL: orders with a reservation_id consuming a hold, releases of the whole hold,
     * of part of it, of more than it (several releases of one line adding up), releases before holds,
     * consuming orders before holds, releases and consuming orders with no held at all, reservations with lines
     * on several positions, conflicting duplicates of every kind (including an order's reservation id). Every
     * position, count and lastUpdated versus {@code lifecycle_positions}; the lines reported as over-released
     * versus {@code over_released_lines}.
     */
    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void holdLifecycleEqualsSql(@ForAll("lifecycleHistories") History history) throws SQLException {
        FirstStands oracle = FirstStands.of(history.events());
        InventoryLedger ledger = ledgerBesideTheSqlSources(history.events(), oracle);

        List<Position> expected = positionsIn("lifecycle_positions");
        assertPositions(ledger, expected);
        assertThat(new TreeSet<>(strings("SELECT reservation_id || '|' || product_id || '|' || warehouse_id "
                + "FROM over_released_lines"))).as("over-released lines, SQL versus the ledger's reports")
                .isEqualTo(oracle.overReleased());
    }

    // ------------------------------------------------------------------------------------ comparisons

    private static InventoryLedger newLedger() {
        // no defaultHoldTtl and no expires_at anywhere: holds never lapse, the clock never matters. The histories
        // span 56 years (1970 and 2026) in any order: the SQL dedups across all of it, so the horizon must too
        return InventoryLedger.builder().clock(new ManualClock()).dedupHorizon(WHOLE_HISTORY).build();
    }

    /**
     * A new ledger given the events, each apply's outcome checked against the oracle's; the oracle's survivors
     * fill the article's sources (with an empty catalog), for the SQL to compute from the same history.
     */
    private static InventoryLedger ledgerBesideTheSqlSources(List<InventoryEvent> events, FirstStands oracle)
            throws SQLException {
        InventoryLedger ledger = newLedger();
        List<ApplyOutcome> outcomes = applyAll(ledger, events);
        assertThat(outcomes).as("ApplyOutcome of each apply, in applied order").isEqualTo(oracle.outcomes());
        fill(oracle.survivors(), Map.of());
        return ledger;
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

    /** The rows of a view with the columns of {@code article_positions}, as positions. */
    private static List<Position> positionsIn(String view) throws SQLException {
        List<Position> out = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT product_id, warehouse_id, available_quantity, held_quantity, "
                     + "sellable_quantity, last_event_at FROM " + view)) {
            while (rs.next()) {
                out.add(new Position(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), 0,
                        rs.getLong(5), rs.getObject(6, OffsetDateTime.class).toInstant()));
            }
        }
        return out;
    }

    /** The first column of a query, as strings. */
    private static List<String> strings(String sql) throws SQLException {
        return ArticleSql.firstColumn(db, sql);
    }

    /**
     * The surviving events and the catalog into the article's sources; the cut is the ledger clock's instant
     * (no event here carries an expires_at).
     */
    private static void fill(List<InventoryEvent> survivors, Map<String, Integer> catalog) throws SQLException {
        ArticleSql.fillSourceTables(db, survivors, catalog, ManualClock.START);
    }

    /**
     * The contract's de-duplication: identity = event_id when present (scoped to the product), else (kind,
     * id, product, warehouse); payload = quantity, on an order its reservation id, and with an event_id also
     * kind, id and warehouse (the event time is not payload). In applied order, the first event of an
     * identity stands (APPLIED); a later one with the same payload is a DUPLICATE, with another a CONFLICT
     * ({@link #identityOutcomes}). Then the over-releases ({@link #outcomes}): of the events that stand, the
     * one by which a hold line's releases first add up to more than its held quantity, once that is known (a
     * release, or the held arriving after them), is reported as a CONFLICT though it is applied;
     * {@link #overReleased} names those lines as {@code reservation|product|warehouse}.
     */
    record FirstStands(List<InventoryEvent> survivors, List<ApplyOutcome> identityOutcomes,
                       List<ApplyOutcome> outcomes, Set<String> overReleased) {
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
            List<ApplyOutcome> withOverReleases = new ArrayList<>(outcomes);
            Set<String> overReleased = new TreeSet<>();
            Map<String, long[]> lines = new HashMap<>(); // line → {held quantity or -1, released so far}
            for (int i = 0; i < applied.size(); i++) {
                InventoryEvent e = applied.get(i);
                if (outcomes.get(i) != ApplyOutcome.APPLIED || !e.kind().isReservation()) {
                    continue;
                }
                String line = e.id() + "|" + e.productId() + "|" + e.warehouseId();
                long[] l = lines.computeIfAbsent(line, k -> new long[] {-1, 0});
                if (e.kind() == EventKind.RESERVATION_HELD) {
                    l[0] = e.quantity();
                } else {
                    l[1] += e.quantity();
                }
                if (l[0] >= 0 && l[1] > l[0] && overReleased.add(line)) {
                    withOverReleases.set(i, ApplyOutcome.CONFLICT);
                }
            }
            return new FirstStands(survivors, outcomes, withOverReleases, overReleased);
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

    // ------------------------------------------------------------------------------------ histories

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
        // a catalog: each product has a threshold, or (one time in four) is missing
        Arbitrary<List<Integer>> thresholds = Arbitraries.integers().between(-5, 40).injectNull(0.25)
                .list().ofSize(PRODUCTS.size());
        return Combinators.combine(HISTORIES.histories(mode), thresholds)
                .as((built, t) -> history(mode, distinct, retime, built, t));
    }

    /**
     * The built events in the order of their first keys; LIFECYCLE: in the order of their second keys too, a
     * quarter of them re-timed by their variant if {@code retime}; only the first of each identity if
     * {@code distinct}. ARTICLE: a catalog from the thresholds.
     */
    private static History history(Mode mode, boolean distinct, boolean retime, List<GeneratedEvent> built,
                                   List<Integer> thresholds) {
        List<GeneratedEvent> kept = built;
        if (distinct) {
            Set<List<Object>> identities = new HashSet<>();
            kept = built.stream().filter(g -> identities.add(FirstStands.identity(g.event()))).toList();
        }
        List<InventoryEvent> first = events(HistoryGenerator.inOrder(kept, GeneratedEvent::firstKey));
        if (mode != Mode.ARTICLE) {
            List<GeneratedEvent> secondOrder = HistoryGenerator.inOrder(kept, GeneratedEvent::secondKey);
            List<InventoryEvent> originals = events(secondOrder);
            List<InventoryEvent> second = new ArrayList<>(originals);
            if (retime) {
                for (int j = 0; j < second.size(); j++) {
                    int r = secondOrder.get(j).variant();
                    if (r % 4 == 3) { // a quarter of the second deliveries carry a later event time
                        InventoryEvent e = second.get(j);
                        second.set(j, HistoryGenerator.at(e, e.eventTime().plusMillis(1 + r % 5000)));
                    }
                }
            }
            return new History(first, second, originals, Map.of());
        }
        Map<String, Integer> catalog = new LinkedHashMap<>();
        for (int i = 0; i < PRODUCTS.size(); i++) {
            if (thresholds.get(i) != null) {
                catalog.put(PRODUCTS.get(i), thresholds.get(i));
            }
        }
        return new History(first, List.of(), List.of(), catalog);
    }

    private static List<InventoryEvent> events(List<GeneratedEvent> generated) {
        return generated.stream().map(GeneratedEvent::event).toList();
    }

    /** Millisecond-precise; one time in seven within four seconds of 1970 (either side), else in 2026. */
    private static Instant time(int n) {
        return (n % 7 == 6 ? AROUND_EPOCH : NOW).plusMillis(n % 4000);
    }
}
