package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stock kept the usual monolith way, in SQL: one row per position, a row per hold and per order line,
 * prepared statements, a connection per thread, transactions where two statements must stand together.
 * The same statements run on H2 in memory and on PostgreSQL.
 *
 * <pre>
 * positions   (product_id, warehouse_id) primary key, qty          -- units still sellable
 * holds       reservation_id primary key, product_id, warehouse_id, qty, status H/C/R, order_id
 * order_lines (order_id, product_id, warehouse_id) primary key, qty
 * </pre>
 *
 * <ul>
 *   <li>{@code sellable}: {@code SELECT qty FROM positions WHERE product_id = ? AND warehouse_id = ?}
 *       (autocommit).</li>
 *   <li>{@code apply}: {@code UPDATE positions SET qty = qty + ? WHERE …} with the event's change to
 *       sellable (autocommit). No duplicate detection: a redelivered event counts again.</li>
 *   <li>{@code tryReserve}, one transaction: {@code UPDATE positions SET qty = qty - ? WHERE product_id = ?
 *       AND warehouse_id = ? AND qty >= ?}, and if a row changed, {@code INSERT INTO holds …}.</li>
 *   <li>{@code confirm}, one transaction: {@code UPDATE holds SET status = 'C', order_id = ? WHERE
 *       reservation_id = ? AND status = 'H'}, and if a row changed, {@code INSERT INTO order_lines …}.</li>
 *   <li>{@code release}, one transaction: {@code UPDATE holds SET status = 'R' …}, and if a row changed,
 *       {@code UPDATE positions SET qty = qty + ? …}.</li>
 * </ul>
 *
 * <p>PostgreSQL runs with its stock configuration (a commit waits for its WAL flush), as a storefront's
 * database does.
 */
final class SqlPeer implements Peer {
    private static final AtomicInteger H2_DATABASES = new AtomicInteger();

    private final String url;
    private final boolean postgres;
    /** Keeps an in-memory H2 database alive for the peer's lifetime; the loader's connection otherwise. */
    private final Connection admin;
    /** Sessions opened, closed with the peer. Guarded by itself. */
    private final List<SqlSession> sessions = new ArrayList<>();

    private SqlPeer(String url, boolean postgres) throws SQLException {
        this.url = url;
        this.postgres = postgres;
        this.admin = DriverManager.getConnection(url);
    }

    /** A fresh H2 database in memory. */
    static SqlPeer h2() throws SQLException {
        return new SqlPeer("jdbc:h2:mem:inventory-bench-" + H2_DATABASES.incrementAndGet() + ";LOCK_TIMEOUT=10000",
                false);
    }

    /** The PostgreSQL database at {@code url}; its tables are dropped and made anew. */
    static SqlPeer postgres(String url) throws SQLException {
        return new SqlPeer(url, true);
    }

    @Override
    public void load(Store store) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("DROP TABLE IF EXISTS order_lines");
            s.execute("DROP TABLE IF EXISTS holds");
            s.execute("DROP TABLE IF EXISTS positions");
            s.execute("CREATE TABLE positions (product_id VARCHAR(64) NOT NULL, warehouse_id VARCHAR(64) NOT NULL,"
                    + " qty BIGINT NOT NULL, PRIMARY KEY (product_id, warehouse_id))");
            s.execute("CREATE TABLE holds (reservation_id VARCHAR(128) PRIMARY KEY, product_id VARCHAR(64) NOT NULL,"
                    + " warehouse_id VARCHAR(64) NOT NULL, qty BIGINT NOT NULL, status CHAR(1) NOT NULL,"
                    + " order_id VARCHAR(128))");
            s.execute("CREATE TABLE order_lines (order_id VARCHAR(128) NOT NULL, product_id VARCHAR(64) NOT NULL,"
                    + " warehouse_id VARCHAR(64) NOT NULL, qty BIGINT NOT NULL,"
                    + " PRIMARY KEY (order_id, product_id, warehouse_id))");
        }
        Properties batched = new Properties();
        batched.setProperty("reWriteBatchedInserts", "true"); // PostgreSQL's driver: multi-row inserts
        try (Connection c = postgres ? DriverManager.getConnection(url, batched) : null) {
            Connection loader = c != null ? c : admin;
            loader.setAutoCommit(false);
            try (PreparedStatement insert = loader.prepareStatement(
                    "INSERT INTO positions (product_id, warehouse_id, qty) VALUES (?, ?, ?)")) {
                int n = 0;
                for (int p = 0; p < store.productCount(); p++) {
                    for (int w = 0; w < store.warehouseCount(); w++) {
                        insert.setString(1, store.product(p));
                        insert.setString(2, store.warehouse(w));
                        insert.setLong(3, store.openingReceipt(p, w).quantity());
                        insert.addBatch();
                        if (++n % 5_000 == 0) {
                            insert.executeBatch();
                        }
                    }
                }
                insert.executeBatch();
            }
            loader.commit();
            loader.setAutoCommit(true);
        }
        if (postgres) {
            try (Statement s = admin.createStatement()) {
                s.execute("VACUUM ANALYZE positions"); // as a database that has been running would be
            }
        }
    }

    @Override
    public Session session() throws SQLException {
        SqlSession s = new SqlSession(DriverManager.getConnection(url));
        synchronized (sessions) {
            sessions.add(s);
        }
        return s;
    }

    @Override
    public void close() throws SQLException {
        synchronized (sessions) {
            for (SqlSession s : sessions) {
                s.close();
            }
            sessions.clear();
        }
        if (!postgres) {
            try (Statement s = admin.createStatement()) {
                s.execute("SHUTDOWN"); // frees the in-memory database
            }
        }
        admin.close();
    }

    /** The statements of one transaction; true to commit, false to roll back. */
    @FunctionalInterface
    private interface Work {
        boolean run() throws SQLException;
    }

    /** One thread's connection and its prepared statements. */
    private static final class SqlSession implements Session {
        private final Connection c;
        private final PreparedStatement select, add, take, insertHold, confirmHold, insertOrder, releaseHold;

        SqlSession(Connection c) throws SQLException {
            this.c = c;
            c.setAutoCommit(true);
            select = c.prepareStatement("SELECT qty FROM positions WHERE product_id = ? AND warehouse_id = ?");
            add = c.prepareStatement("UPDATE positions SET qty = qty + ? WHERE product_id = ? AND warehouse_id = ?");
            take = c.prepareStatement(
                    "UPDATE positions SET qty = qty - ? WHERE product_id = ? AND warehouse_id = ? AND qty >= ?");
            insertHold = c.prepareStatement("INSERT INTO holds (reservation_id, product_id, warehouse_id, qty, status)"
                    + " VALUES (?, ?, ?, ?, 'H')");
            confirmHold = c.prepareStatement(
                    "UPDATE holds SET status = 'C', order_id = ? WHERE reservation_id = ? AND status = 'H'");
            insertOrder = c.prepareStatement(
                    "INSERT INTO order_lines (order_id, product_id, warehouse_id, qty) VALUES (?, ?, ?, ?)");
            releaseHold = c.prepareStatement("UPDATE holds SET status = 'R' WHERE reservation_id = ? AND status = 'H'");
        }

        @Override
        public long sellable(String product, String warehouse) throws SQLException {
            select.setString(1, product);
            select.setString(2, warehouse);
            try (ResultSet r = select.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }

        @Override
        public int apply(InventoryEvent e) throws SQLException {
            add(e.productId(), e.warehouseId(), Peer.sellableDelta(e));
            return 0;
        }

        private int add(String product, String warehouse, long delta) throws SQLException {
            add.setLong(1, delta);
            add.setString(2, product);
            add.setString(3, warehouse);
            return add.executeUpdate();
        }

        @Override
        public boolean tryReserve(String product, String warehouse, long quantity, String reservationId)
                throws SQLException {
            return inTransaction(() -> {
                take.setLong(1, quantity);
                take.setString(2, product);
                take.setString(3, warehouse);
                take.setLong(4, quantity);
                return ifOneRowThenInsert(take, insertHold, reservationId, product, warehouse, quantity);
            });
        }

        @Override
        public boolean confirm(String product, String warehouse, long quantity, String reservationId, String orderId)
                throws SQLException {
            return inTransaction(() -> {
                confirmHold.setString(1, orderId);
                confirmHold.setString(2, reservationId);
                return ifOneRowThenInsert(confirmHold, insertOrder, orderId, product, warehouse, quantity);
            });
        }

        /**
         * Runs the bound {@code guard}; if it changed exactly one row, inserts the line ({@code id}, product,
         * warehouse, quantity: a hold or an order line) with {@code insert}. False if the guard changed none.
         */
        private static boolean ifOneRowThenInsert(PreparedStatement guard, PreparedStatement insert, String id,
                String product, String warehouse, long quantity) throws SQLException {
            if (guard.executeUpdate() != 1) {
                return false;
            }
            insert.setString(1, id);
            insert.setString(2, product);
            insert.setString(3, warehouse);
            insert.setLong(4, quantity);
            insert.executeUpdate();
            return true;
        }

        @Override
        public boolean release(String product, String warehouse, long quantity, String reservationId)
                throws SQLException {
            return inTransaction(() -> {
                releaseHold.setString(1, reservationId);
                if (releaseHold.executeUpdate() != 1) {
                    return false;
                }
                add(product, warehouse, quantity);
                return true;
            });
        }

        /** Runs {@code work} in one transaction: committed if it returns true, rolled back if false or it throws. */
        private boolean inTransaction(Work work) throws SQLException {
            c.setAutoCommit(false);
            try {
                if (!work.run()) {
                    c.rollback();
                    return false;
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }

        @Override
        public void close() throws SQLException {
            if (!c.isClosed()) {
                c.close();
            }
        }
    }
}
