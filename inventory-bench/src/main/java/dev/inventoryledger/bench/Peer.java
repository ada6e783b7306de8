package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;

import java.sql.SQLException;
import java.util.List;

/**
 * What keeps the stock count in a benchmark: the ledger, or one of the peers a storefront would otherwise
 * use. Every benchmark drives each of them through this interface with the same workload, in the same run.
 *
 * <table>
 *   <caption>The implementations, by the {@code impl} parameter of the benchmarks</caption>
 *   <tr><th>impl</th><th>what</th></tr>
 *   <tr><td>{@code ledger}</td><td>{@link dev.inventoryledger.core.InventoryLedger} with its defaults</td></tr>
 *   <tr><td>{@code chm}</td><td>a bare {@code ConcurrentHashMap} of counters: the floor, no semantics</td></tr>
 *   <tr><td>{@code h2}</td><td>H2 in memory, the usual monolith SQL ({@link SqlPeer})</td></tr>
 *   <tr><td>{@code postgres}</td><td>the same SQL on a PostgreSQL server on 127.0.0.1 ({@link SqlPeer})</td></tr>
 *   <tr><td>{@code redis}</td><td>counters in a Redis server on 127.0.0.1, checked and changed by Lua scripts
 *       ({@link RedisPeer})</td></tr>
 * </table>
 *
 * <p>A peer is shared by the benchmark's threads; each thread works through its own {@link Session} (for the
 * server peers, its own connection).
 */
public interface Peer extends AutoCloseable {

    /** The names of the {@code impl} parameter. */
    String LEDGER = "ledger", CHM = "chm", H2 = "h2", POSTGRES = "postgres", REDIS = "redis";
    /** The peers that need no server: every run has them. */
    List<String> IN_PROCESS = List.of(LEDGER, CHM, H2);

    /** Stocks every position of the store (its opening receipts). */
    void load(Store store) throws SQLException;

    /** A session for one thread. */
    Session session() throws SQLException;

    /** Whether a redelivered event is recognised and dropped (only the ledger's). */
    default boolean deduplicates() {
        return false;
    }

    /**
     * Whether reservation ids must be new for every hold. The bare map ignores them: it is handed the same
     * prepared ids over and over (the same array load as the others, without their refills).
     */
    default boolean keepsReservations() {
        return true;
    }

    @Override
    void close() throws SQLException;

    /** The peer named by a benchmark's {@code impl} parameter. */
    static Peer named(String impl) throws SQLException {
        return switch (impl) {
            case LEDGER -> new LedgerPeer();
            case CHM -> new MapPeer();
            case H2 -> SqlPeer.h2();
            case POSTGRES -> SqlPeer.postgres(ServerPeer.POSTGRES.required());
            case REDIS -> new RedisPeer(ServerPeer.REDIS.required());
            default -> throw new IllegalArgumentException(
                    "impl must be one of ledger, chm, h2, postgres, redis but was " + impl);
        };
    }

    /**
     * The event's change to sellable as the peers count it (they keep one number per position): an order
     * takes its units, unless it consumes a hold, whose units were taken when it was held; a hold takes its
     * units and a release gives them back; cancellations, returns and receipts add.
     */
    static long sellableDelta(InventoryEvent e) {
        return switch (e.kind()) {
            case ORDER_PLACED -> e.reservationId() == null ? -e.quantity() : 0;
            case RESERVATION_HELD -> -e.quantity();
            case ORDER_CANCELLED, RETURN_RECEIVED, STOCK_RECEIVED, RESERVATION_RELEASED -> e.quantity();
        };
    }

    /**
     * An in-process peer that every thread works on directly: it is its own session, and neither it nor its
     * session holds anything to close.
     */
    interface Shared extends Peer, Session {
        @Override
        default Session session() {
            return this;
        }

        @Override
        default void close() {
        }
    }

    /** One thread's way in. Not thread-safe. */
    interface Session extends AutoCloseable {
        /** Units that may still be sold at the position. */
        long sellable(String product, String warehouse) throws SQLException;

        /**
         * Applies one event; returns the ledger's {@link dev.inventoryledger.core.ApplyOutcome} ordinal (the
         * peers, which know no duplicates, always report applied: 0).
         */
        int apply(InventoryEvent event) throws SQLException;

        /** Holds {@code quantity} units for the reservation if that many are sellable now. */
        boolean tryReserve(String product, String warehouse, long quantity, String reservationId)
                throws SQLException;

        /** Turns the reservation's hold (made by {@link #tryReserve}) into order {@code orderId}. */
        boolean confirm(String product, String warehouse, long quantity, String reservationId, String orderId)
                throws SQLException;

        /** Gives the reservation's hold back. */
        boolean release(String product, String warehouse, long quantity, String reservationId) throws SQLException;

        @Override
        void close() throws SQLException;
    }
}
