package dev.inventoryledger.bench;

import redis.clients.jedis.Jedis;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers that run on a server of their own, which the benchmarks do not start: each is named by a system
 * property holding its address, which the script in this module prints when it starts the server. Without
 * the property the peer is left out of a run, with a message that says why ({@link BenchMain}).
 */
enum ServerPeer {
    /** PostgreSQL on 127.0.0.1 ({@link SqlPeer}), started by {@code inventory-bench/postgres.sh start}. */
    POSTGRES(Peer.POSTGRES, "bench.postgres", "postgres.sh",
            "jdbc:postgresql://127.0.0.1:55432/inventory_bench?user=postgres") {
        @Override
        String unreachable(String url) {
            DriverManager.setLoginTimeout(5);
            try (Connection c = DriverManager.getConnection(url)) {
                return c.isValid(5) ? null : "the connection is not valid";
            } catch (SQLException e) {
                return e.getMessage();
            }
        }
    },
    /** Redis on 127.0.0.1 ({@link RedisPeer}), started by {@code inventory-bench/redis.sh start}. */
    REDIS(Peer.REDIS, "bench.redis", "redis.sh", "redis://127.0.0.1:56379") {
        @Override
        String unreachable(String url) {
            try (Jedis redis = new Jedis(URI.create(url), 5_000)) {
                String pong = redis.ping();
                return "PONG".equals(pong) ? null : "PING answered " + pong;
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        }
    };

    /** The peer's name, as the benchmarks' {@code impl} parameter takes it. */
    final String impl;
    /** The system property that holds the server's address. */
    final String property;
    private final String script;
    private final String example;

    ServerPeer(String impl, String property, String script, String example) {
        this.impl = impl;
        this.property = property;
        this.script = script;
        this.example = example;
    }

    /** What to do when the address is missing. */
    String how() {
        return "start one with 'inventory-bench/" + script + " start' and pass the address it prints as -D" + property
                + "=" + example;
    }

    /** The address, or null when none is configured. */
    String configured() {
        String url = System.getProperty(property);
        return url == null || url.isBlank() ? null : url.trim();
    }

    /** The address; throws with what to do when none is configured. */
    String required() {
        String url = configured();
        if (url == null) {
            throw new IllegalStateException("impl=" + impl + " needs a server but -D" + property + " is not set: "
                    + how());
        }
        return url;
    }

    /** Why this peer cannot run now (no address, or the server's answer), or null if it can. */
    String whyNot() {
        String url = configured();
        if (url == null) {
            return "-D" + property + " is not set; " + how();
        }
        String why = unreachable(url);
        return why == null ? null : "cannot connect to " + url + ": " + why;
    }

    /** The in-process peers, and each server peer whose address is configured (not checked: for tests). */
    static List<String> configuredPeers() {
        List<String> impls = new ArrayList<>(Peer.IN_PROCESS);
        for (ServerPeer server : values()) {
            if (server.configured() != null) {
                impls.add(server.impl);
            }
        }
        return impls;
    }

    /** Why the server at {@code url} cannot be used (its client's message), or null if it answers. */
    abstract String unreachable(String url);
}
