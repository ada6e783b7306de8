package dev.inventoryledger.core.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The identity table's mechanics (find, insert, forget the oldest, resize) against a plain FIFO model. */
class IdentityTableTest {

    @Test
    void remembersAndComparesPayloads() {
        IdentityTable t = new IdentityTable();
        assertThat(t.check(1, 3)).isEqualTo(IdentityTable.NEW);
        t.insert(1, 3, 100);
        assertThat(t.check(1, 3)).isEqualTo(IdentityTable.DUPLICATE);
        assertThat(t.check(1, 4)).isEqualTo(IdentityTable.CONFLICT);
        assertThat(t.check(2, 3)).isEqualTo(IdentityTable.NEW);
        assertThat(t.newestSeconds()).isEqualTo(100);
        assertThat(t.forgottenSeconds()).isEqualTo(-1);
        t.forgetOldest();
        assertThat(t.check(1, 3)).isEqualTo(IdentityTable.NEW);
        assertThat(t.forgottenSeconds()).isEqualTo(100);
    }

    /**
     * Random steps over identities drawn from a small space, so that home slots, tags, probe chains and
     * deletions collide often: insert (when new, growing when full), forget the oldest, shrink. The table says
     * exactly what a FIFO of the same entries says, and the newest time forgotten is the model's.
     */
    @Property(tries = 300)
    void behavesLikeAFifo(@ForAll @Size(max = 800) List<@IntRange(min = 0, max = 300) Integer> steps) {
        IdentityTable t = new IdentityTable();
        Deque<Long> order = new ArrayDeque<>();
        Map<Long, long[]> model = new HashMap<>(); // identity -> {fingerprint, seconds}
        long forgotten = -1;
        for (int k : steps) {
            if (k >= 280 && !order.isEmpty()) { // forget the oldest
                long oldest = order.removeFirst();
                assertThat(t.oldestSeconds()).isEqualTo(model.get(oldest)[1]);
                forgotten = Math.max(forgotten, model.remove(oldest)[1]);
                t.forgetOldest();
            } else if (k >= 270) { // shrink to the smallest size that holds what is there
                int cap = IdentityTable.INITIAL_CAPACITY;
                while (cap < order.size()) {
                    cap *= 2;
                }
                t.resize(cap);
            } else {
                long identity = ((long) (k % 9) << 56) | ((long) k << 40) | (k % 5); // few tags, few homes
                int fingerprint = k % 3;
                long seconds = 1_000 + (k * 7919L) % 500;
                long[] known = model.get(identity);
                int expected = known == null ? IdentityTable.NEW
                        : known[0] == fingerprint ? IdentityTable.DUPLICATE : IdentityTable.CONFLICT;
                assertThat(t.check(identity, fingerprint)).isEqualTo(expected);
                if (expected == IdentityTable.NEW) {
                    if (t.isFull()) {
                        t.resize(t.capacity() * 2);
                    }
                    t.insert(identity, fingerprint, seconds);
                    order.addLast(identity);
                    model.put(identity, new long[]{fingerprint, seconds});
                }
            }
            assertThat(t.size()).isEqualTo(order.size());
            assertThat(t.forgottenSeconds()).isEqualTo(forgotten);
        }
        long[] entries = t.entries();
        int n = 0;
        for (long identity : order) {
            assertThat(entries[2 * n]).isEqualTo(identity);
            assertThat(entries[2 * n + 1]).isEqualTo(model.get(identity)[0] << 32 | model.get(identity)[1]);
            n++;
        }
        IdentityTable copy = new IdentityTable();
        copy.restore(entries, t.forgottenSeconds());
        for (int k = 0; k < 270; k++) {
            long identity = ((long) (k % 9) << 56) | ((long) k << 40) | (k % 5);
            assertThat(copy.check(identity, k % 3)).isEqualTo(t.check(identity, k % 3));
        }
        assertThat(copy.forgottenSeconds()).isEqualTo(t.forgottenSeconds());
    }

    @Property(tries = 100)
    void spreadHashesAlsoMatchTheModel(@ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 1500) Integer> keys) {
        IdentityTable t = new IdentityTable();
        java.util.Set<Integer> model = new java.util.HashSet<>();
        for (int k : keys) {
            IdentityHash h = new IdentityHash().start(1).add("ORD-" + k).finish();
            boolean known = t.check(h.lo, 0) != IdentityTable.NEW;
            assertThat(known).isEqualTo(model.contains(k));
            if (!known) {
                if (t.isFull()) {
                    t.resize(t.capacity() * 2);
                }
                t.insert(h.lo, 0, 5);
                model.add(k);
            }
        }
        assertThat(t.size()).isEqualTo(model.size());
        assertThat(t.capacity()).isLessThanOrEqualTo(Math.max(IdentityTable.INITIAL_CAPACITY, 2 * model.size()));
    }
}
