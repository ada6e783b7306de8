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

/** The bounded identity memory against a plain FIFO model. */
class IdentityTableTest {

    @Test
    void remembersAndComparesPayloads() {
        IdentityTable t = new IdentityTable(8);
        assertThat(t.check(1, 2, 3)).isEqualTo(IdentityTable.NEW);
        t.insert(1, 2, 3);
        assertThat(t.check(1, 2, 3)).isEqualTo(IdentityTable.DUPLICATE);
        assertThat(t.check(1, 2, 4)).isEqualTo(IdentityTable.CONFLICT);
        assertThat(t.check(2, 2, 3)).isEqualTo(IdentityTable.NEW);
        assertThat(t.check(1, 3, 3)).isEqualTo(IdentityTable.NEW);
    }

    @Test
    void boundIsRoundedUpToAPowerOfTwo() {
        assertThat(new IdentityTable(1000).bound()).isEqualTo(1024);
        assertThat(new IdentityTable(1).bound()).isEqualTo(1);
        assertThat(new IdentityTable(4).bound()).isEqualTo(4);
    }

    /**
     * Random inserts of identities drawn from a small space (so that the same low bits, probe chains and
     * evictions collide often) behave exactly like a FIFO of the newest {@code bound} identities.
     */
    @Property(tries = 300)
    void behavesLikeAFifoOfTheNewest(@ForAll @IntRange(min = 1, max = 64) int bound,
                                     @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 200) Integer> keys) {
        IdentityTable t = new IdentityTable(bound);
        int cap = t.bound();
        Deque<Long> order = new ArrayDeque<>();
        Map<Long, Long> model = new HashMap<>();
        for (int k : keys) {
            long hi = k % 7;            // few distinct high lanes
            long lo = (long) k << 40;    // the index hashes lo ^ (lo >>> 32): every key lands on home slot 0
            long fp = k % 3;
            long key = k;
            int expected = !model.containsKey(key) ? IdentityTable.NEW
                    : model.get(key) == fp ? IdentityTable.DUPLICATE : IdentityTable.CONFLICT;
            assertThat(t.check(hi, lo, fp)).isEqualTo(expected);
            if (expected == IdentityTable.NEW) {
                t.insert(hi, lo, fp);
                order.addLast(key);
                model.put(key, fp);
                if (order.size() > cap) {
                    model.remove(order.removeFirst());
                }
            }
            assertThat(t.size()).isEqualTo(order.size());
        }
        for (int k = 0; k <= 200; k++) {
            assertThat(t.check(k % 7, (long) k << 40, k % 3) != IdentityTable.NEW).isEqualTo(model.containsKey((long) k));
        }
    }

    @Property(tries = 100)
    void spreadHashesAlsoMatchTheModel(@ForAll @IntRange(min = 1, max = 300) int bound,
                                       @ForAll @Size(max = 2000) List<@IntRange(min = 0, max = 1500) Integer> keys) {
        IdentityTable t = new IdentityTable(bound);
        Deque<Integer> order = new ArrayDeque<>();
        java.util.Set<Integer> model = new java.util.HashSet<>();
        for (int k : keys) {
            IdentityHash h = new IdentityHash().start(1).add("ORD-" + k).finish();
            boolean known = t.check(h.hi, h.lo, 0) != IdentityTable.NEW;
            assertThat(known).isEqualTo(model.contains(k));
            if (!known) {
                t.insert(h.hi, h.lo, 0);
                order.addLast(k);
                model.add(k);
                if (order.size() > t.bound()) {
                    model.remove(order.removeFirst());
                }
            }
        }
    }
}
