package dev.inventoryledger.core.internal;

import java.util.Arrays;

/**
 * The expiring holds of one product, soonest first: a binary min-heap on {@link HoldLine#expiresAtNanos}
 * in which every line knows its own index, so that a line that ends early (confirmed, released, consumed)
 * leaves at once in O(log n) instead of staying until its expiry. The heap therefore holds exactly the
 * active lines that can lapse.
 *
 * <p>Not thread-safe: guarded by the owning product's write lock.
 */
public final class ExpiryHeap {
    private HoldLine[] heap = new HoldLine[4];
    private int size;

    /** Lines in the heap. */
    public int size() {
        return size;
    }

    /** The line that lapses first, or null. */
    public HoldLine peek() {
        return size == 0 ? null : heap[0];
    }

    /** Adds a line that is not in the heap. */
    public void add(HoldLine line) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = line;
        line.heapIndex = size;
        up(size++);
    }

    /** Removes a line if it is in the heap. */
    public void remove(HoldLine line) {
        int i = line.heapIndex;
        if (i < 0 || i >= size || heap[i] != line) {
            return;
        }
        line.heapIndex = -1;
        HoldLine last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            down(i);
            up(last.heapIndex);
        }
    }

    /** Removes and returns the line that lapses first, or null. */
    public HoldLine poll() {
        HoldLine head = peek();
        if (head != null) {
            remove(head);
        }
        return head;
    }

    private void up(int i) {
        HoldLine x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            HoldLine p = heap[parent];
            if (p.expiresAtNanos <= x.expiresAtNanos) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = x;
        x.heapIndex = i;
    }

    private void down(int i) {
        HoldLine x = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].expiresAtNanos < heap[child].expiresAtNanos) {
                child = right;
            }
            HoldLine c = heap[child];
            if (x.expiresAtNanos <= c.expiresAtNanos) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = x;
        x.heapIndex = i;
    }
}
