package dev.inventoryledger.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.SQLException;

/**
 * One benchmark thread's session with the peer, and its place in the store's ring of choices (each thread
 * starts at another place, so that two threads do not ask for the same position in lockstep).
 */
@State(Scope.Thread)
public class SessionState {
    Peer.Session session;
    Store store;
    /** 0, 1, … in the order the threads set up. */
    int thread;
    /** The next choice in the store's ring; only this thread reads or writes it. */
    int choice;

    @Setup(Level.Trial)
    public void open(StoreState shop) throws SQLException {
        store = shop.store;
        session = shop.peer.session();
        thread = shop.nextThread();
        choice = thread * (Store.CHOICES / 2 + 7919);
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        session.close();
    }

    /** Sellable at the next chosen position. */
    long readNext() throws SQLException {
        int i = choice++;
        return session.sellable(store.productAt(i), store.warehouseAt(i));
    }
}
