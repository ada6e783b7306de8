package dev.inventoryledger.bench;

import dev.inventoryledger.core.InventoryEvent;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Stock kept as counters in Redis, the way a storefront that has outgrown its SQL database often does it:
 * one integer per position, changed by {@code INCRBY}, and a Lua script wherever a check and a change must
 * stand together (Redis runs a script alone, so a check-then-decrement cannot be interleaved). A connection
 * per thread, one round trip per operation, no pipelining on the measured path.
 *
 * <pre>
 * inv:{product}:{warehouse}   integer: units still sellable
 * hold:{reservation}          hash: position, qty, status H/C/R, order
 * order:{order}               hash: position -&gt; qty (the order's lines)
 * </pre>
 *
 * <ul>
 *   <li>{@code sellable}: {@code GET inv:p:w}.</li>
 *   <li>{@code apply}: {@code INCRBY inv:p:w delta} with the event's change to sellable. No duplicate
 *       detection: a redelivered event counts again.</li>
 *   <li>{@code tryReserve}: a script that refuses if the hold exists or fewer units are sellable, else
 *       {@code DECRBY}s the position and writes the hold.</li>
 *   <li>{@code confirm}: a script that, if the hold's status is H, sets it to C and writes the order line.</li>
 *   <li>{@code release}: a script that, if the hold's status is H, sets it to R and gives the units back.</li>
 * </ul>
 *
 * <p>The server runs with Redis's stock persistence (RDB snapshots now and then, no append-only file):
 * nothing waits for a disk, and a crash loses what was written since the last snapshot.
 */
final class RedisPeer implements Peer {
    private static final String RESERVE = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            local q = tonumber(ARGV[1])
            if tonumber(redis.call('GET', KEYS[1]) or '0') < q then return 0 end
            redis.call('DECRBY', KEYS[1], q)
            redis.call('HSET', KEYS[2], 'position', KEYS[1], 'qty', q, 'status', 'H')
            return 1""";
    private static final String CONFIRM = """
            if redis.call('HGET', KEYS[1], 'status') ~= 'H' then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'C', 'order', ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
            return 1""";
    private static final String RELEASE = """
            if redis.call('HGET', KEYS[1], 'status') ~= 'H' then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'R')
            redis.call('INCRBY', KEYS[2], ARGV[1])
            return 1""";

    private final URI uri;
    /** The loader's connection, which also loaded the scripts. */
    private final Jedis admin;
    private final String reserveSha, confirmSha, releaseSha;
    /** Sessions opened, closed with the peer. Guarded by itself. */
    private final List<RedisSession> sessions = new ArrayList<>();

    RedisPeer(String url) {
        this.uri = URI.create(url);
        this.admin = new Jedis(uri);
        this.reserveSha = admin.scriptLoad(RESERVE);
        this.confirmSha = admin.scriptLoad(CONFIRM);
        this.releaseSha = admin.scriptLoad(RELEASE);
    }

    private static String position(String product, String warehouse) {
        return "inv:" + product + ":" + warehouse;
    }

    @Override
    public void load(Store store) {
        admin.flushDB();
        Pipeline pipeline = admin.pipelined();
        int n = 0;
        for (int p = 0; p < store.productCount(); p++) {
            for (int w = 0; w < store.warehouseCount(); w++) {
                pipeline.set(position(store.product(p), store.warehouse(w)),
                        Long.toString(store.openingReceipt(p, w).quantity()));
                if (++n % 5_000 == 0) {
                    pipeline.sync();
                }
            }
        }
        pipeline.sync();
    }

    @Override
    public Session session() {
        RedisSession s = new RedisSession(new Jedis(uri));
        synchronized (sessions) {
            sessions.add(s);
        }
        return s;
    }

    @Override
    public void close() {
        synchronized (sessions) {
            sessions.forEach(RedisSession::close);
            sessions.clear();
        }
        admin.flushDB(); // the holds and orders of a run would otherwise stay in the server's memory
        admin.close();
    }

    /** One thread's connection. */
    private final class RedisSession implements Session {
        private final Jedis redis;

        RedisSession(Jedis redis) {
            this.redis = redis;
        }

        @Override
        public long sellable(String product, String warehouse) {
            String qty = redis.get(position(product, warehouse));
            return qty == null ? 0 : Long.parseLong(qty);
        }

        @Override
        public int apply(InventoryEvent e) {
            redis.incrBy(position(e.productId(), e.warehouseId()), Peer.sellableDelta(e));
            return 0;
        }

        @Override
        public boolean tryReserve(String product, String warehouse, long quantity, String reservationId) {
            return ran(redis.evalsha(reserveSha, List.of(position(product, warehouse), "hold:" + reservationId),
                    List.of(Long.toString(quantity))));
        }

        @Override
        public boolean confirm(String product, String warehouse, long quantity, String reservationId,
                String orderId) {
            return ran(redis.evalsha(confirmSha, List.of("hold:" + reservationId, "order:" + orderId),
                    List.of(orderId, position(product, warehouse), Long.toString(quantity))));
        }

        @Override
        public boolean release(String product, String warehouse, long quantity, String reservationId) {
            return ran(redis.evalsha(releaseSha, List.of("hold:" + reservationId, position(product, warehouse)),
                    List.of(Long.toString(quantity))));
        }

        private static boolean ran(Object answer) {
            return Long.valueOf(1).equals(answer);
        }

        @Override
        public void close() {
            redis.close();
        }
    }
}
