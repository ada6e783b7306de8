package dev.inventoryledger.core.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The indexed expiry heap against a sorted-set model, with removals from the middle. */
class ExpiryHeapTest {

    @Property(tries = 300)
    void behavesLikeASortedSet(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 99) Integer> ops) {
        ExpiryHeap heap = new ExpiryHeap();
        List<HoldLine> in = new ArrayList<>();
        TreeSet<HoldLine> model = new TreeSet<>(Comparator.<HoldLine>comparingLong(l -> l.expiresAtNanos)
                .thenComparingInt(System::identityHashCode));
        int n = 0;
        for (int op : ops) {
            if (op < 50 || in.isEmpty()) { // add, with many equal expiries
                HoldLine l = new HoldLine(null, null, null);
                l.expiresAtNanos = op % 17;
                heap.add(l);
                model.add(l);
                in.add(l);
            } else if (op < 80) { // remove one from anywhere
                HoldLine l = in.remove((op * 31 + n++) % in.size());
                heap.remove(l);
                heap.remove(l); // twice: the second is a no-op
                model.remove(l);
            } else { // poll the soonest
                HoldLine l = heap.poll();
                assertThat(l.expiresAtNanos).isEqualTo(model.first().expiresAtNanos);
                model.remove(l);
                in.remove(l);
            }
            assertThat(heap.size()).isEqualTo(model.size());
            if (!model.isEmpty()) {
                assertThat(heap.peek().expiresAtNanos).isEqualTo(model.first().expiresAtNanos);
            }
        }
        long last = Long.MIN_VALUE;
        for (HoldLine l; (l = heap.poll()) != null; ) {
            assertThat(l.expiresAtNanos).isGreaterThanOrEqualTo(last);
            last = l.expiresAtNanos;
        }
    }
}
