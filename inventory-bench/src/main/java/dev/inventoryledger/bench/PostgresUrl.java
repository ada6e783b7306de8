package dev.inventoryledger.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the PostgreSQL peer's server is: the JDBC URL in the system property {@value #PROPERTY}, which
 * {@code inventory-bench/postgres.sh start} prints. Without it the PostgreSQL peer is left out of a run,
 * with a message that says why ({@link BenchMain}).
 */
final class PostgresUrl {
    /** The system property that holds the JDBC URL. */
    static final String PROPERTY = "bench.postgres";
    /** What to do when it is missing. */
    static final String HOW = "start one with 'inventory-bench/postgres.sh start' and pass the URL it prints as -D"
            + PROPERTY + "=jdbc:postgresql://127.0.0.1:55432/inventory_bench?user=postgres";

    private PostgresUrl() {
    }

    /** The URL, or null when none is configured. */
    static String configured() {
        String url = System.getProperty(PROPERTY);
        return url == null || url.isBlank() ? null : url.trim();
    }

    /** The URL; throws with what to do when none is configured. */
    static String required() {
        String url = configured();
        if (url == null) {
            throw new IllegalStateException("impl=postgres needs a PostgreSQL server but -D" + PROPERTY
                    + " is not set: " + HOW);
        }
        return url;
    }

    /** Why the server at {@code url} cannot be used (the driver's message), or null if a connection opens. */
    static String unreachable(String url) {
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(url)) {
            return c.isValid(5) ? null : "the connection is not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}
