package dev.inventoryledger.core.testkit;

import dev.inventoryledger.core.EventKind;
import dev.inventoryledger.core.InventoryEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The article's SQL, which the README makes the definition of the counts, run on a JDBC connection (an in-memory
 * H2 database in the tests). The SQL stands once, in the {@code .sql} resources beside this class:
 * <ul>
 *   <li>{@code article-views.sql}: the article's {@code live_inventory} and {@code live_inventory_with_holds},
 *       verbatim but for MATERIALIZED;</li>
 *   <li>{@code ledger-views.sql}: what the ledger adds to them ({@code last_event_time},
 *       {@code reservation_only_holds}, {@code article_positions});</li>
 *   <li>{@code hold-lifecycle-views.sql}: the ledger's rule for holds ({@code active_hold_lines},
 *       {@code lifecycle_positions});</li>
 *   <li>{@code source-tables.sql}: the article's five sources as tables, one way to make what the views read.</li>
 * </ul>
 * The views read the five sources (with an order's {@code reservation_id} and a held's {@code expires_at}) and
 * a one-row {@code cut(at)}; each user decides how those are made: core's oracle creates them as tables with
 * {@link #createSourceTables} and fills them with {@link #fillSourceTables}, the replay's property makes them
 * views of the lines of a file. Then {@link #createViews} puts the views on top.
 */
public final class ArticleSql {

    private static final List<String> VIEWS = List.of("article-views.sql", "ledger-views.sql",
            "hold-lifecycle-views.sql");
    private static final List<String> TABLES = List.of("orders_source", "cancellations_source", "returns_source",
            "receipts_source", "reservations_source", "product_catalog", "cut");

    private ArticleSql() {
    }

    /** Creates the article's five sources, {@code product_catalog} and {@code cut} as empty tables. */
    public static void createSourceTables(Connection db) throws SQLException {
        execute(db, resource("source-tables.sql"));
    }

    /**
     * Creates the article's views, the ledger's and the hold lifecycle's, over the five sources and {@code cut},
     * which must exist (as tables or views).
     */
    public static void createViews(Connection db) throws SQLException {
        for (String name : VIEWS) {
            execute(db, resource(name));
        }
    }

    /**
     * Empties the tables of {@link #createSourceTables} and inserts each event into its article source (an
     * order with its reservation_id, a held with its expires_at), the catalog (product → reorder threshold)
     * and the cut.
     */
    public static void fillSourceTables(Connection db, List<InventoryEvent> events, Map<String, Integer> catalog,
                                        Instant cut) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String table : TABLES) {
                st.execute("TRUNCATE TABLE " + table);
            }
        }
        String common = "product_id, warehouse_id, quantity, event_time";
        try (PreparedStatement orders = db.prepareStatement("INSERT INTO orders_source (order_id, " + common
                     + ", reservation_id) VALUES (?, ?, ?, ?, ?, ?)");
             PreparedStatement cancellations = db.prepareStatement("INSERT INTO cancellations_source (order_id, "
                     + common + ") VALUES (?, ?, ?, ?, ?)");
             PreparedStatement returns = db.prepareStatement("INSERT INTO returns_source (return_id, " + common
                     + ") VALUES (?, ?, ?, ?, ?)");
             PreparedStatement receipts = db.prepareStatement("INSERT INTO receipts_source (receipt_id, " + common
                     + ") VALUES (?, ?, ?, ?, ?)");
             PreparedStatement reservations = db.prepareStatement("INSERT INTO reservations_source (reservation_id, "
                     + common + ", status, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement products = db.prepareStatement("INSERT INTO product_catalog VALUES (?, ?)");
             PreparedStatement cutRow = db.prepareStatement("INSERT INTO cut VALUES (?)")) {
            for (InventoryEvent e : events) {
                PreparedStatement ps = switch (e.kind()) {
                    case ORDER_PLACED -> orders;
                    case ORDER_CANCELLED -> cancellations;
                    case RETURN_RECEIVED -> returns;
                    case STOCK_RECEIVED -> receipts;
                    case RESERVATION_HELD, RESERVATION_RELEASED -> reservations;
                };
                ps.setString(1, e.id());
                ps.setString(2, e.productId());
                ps.setString(3, e.warehouseId());
                ps.setInt(4, Math.toIntExact(e.quantity()));
                ps.setObject(5, utc(e.eventTime()));
                if (e.kind() == EventKind.ORDER_PLACED) {
                    ps.setString(6, e.reservationId());
                } else if (e.kind().isReservation()) {
                    ps.setString(6, e.kind() == EventKind.RESERVATION_HELD ? "held" : "released");
                    ps.setObject(7, utc(e.expiresAt()));
                }
                ps.addBatch();
            }
            for (PreparedStatement ps : List.of(orders, cancellations, returns, receipts, reservations)) {
                ps.executeBatch();
            }
            for (Map.Entry<String, Integer> c : catalog.entrySet()) {
                products.setString(1, c.getKey());
                products.setInt(2, c.getValue());
                products.addBatch();
            }
            products.executeBatch();
            cutRow.setObject(1, utc(cut));
            cutRow.executeUpdate();
        }
    }

    /**
     * Runs a script: statements separated by a {@code ;} at the end of a line (so no comment line may end with
     * one); a part holding only comments is skipped.
     */
    public static void execute(Connection db, String script) throws SQLException {
        try (Statement st = db.createStatement()) {
            for (String sql : script.split(";[ \\t]*(\\r?\\n|$)")) {
                if (!sql.replaceAll("(?m)^\\s*--.*$", "").isBlank()) {
                    st.execute(sql);
                }
            }
        }
    }

    /** The first column of every row a query returns, as strings (null for SQL NULL). */
    public static List<String> firstColumn(Connection db, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = ArticleSql.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name + " beside " + ArticleSql.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name, e);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
