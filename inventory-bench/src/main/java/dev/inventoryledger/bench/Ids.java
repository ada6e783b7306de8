package dev.inventoryledger.bench;

/**
 * Reservation and order ids for one thread, made before an iteration so that the measured path takes a
 * string from an array instead of building one.
 *
 * <p>Unique ids (for a peer that keeps reservations): every id is new within a trial. An id used in an
 * iteration is remade, with the next lap number, before the next one, and the heap is then collected so
 * that copying the new ids is not the next iteration's garbage collector's work. If an iteration uses more
 * ids than the ring holds, the rest are built in the measured path (slower, and reported by
 * {@link #refill()}). Otherwise (the bare map) the ring is handed out over and over.
 *
 * <p>Not thread-safe: one per thread.
 */
final class Ids {
    private final String prefix;
    private final String[] ring;
    private final boolean unique;
    private int next;
    private int lap;
    private long unprepared;

    /** @param prefix what every id starts with; different for each thread */
    Ids(String prefix, int size, boolean unique) {
        this.prefix = prefix;
        this.ring = new String[size];
        this.unique = unique;
        for (int i = 0; i < size; i++) {
            ring[i] = prefix + lap + "-" + i;
        }
    }

    /** The next id: one not handed out before, if unique. */
    String next() {
        int i = next++;
        if (i < ring.length) {
            return ring[i];
        }
        if (!unique) {
            next = 1;
            return ring[0];
        }
        unprepared++;
        return prefix + lap + "-" + i;
    }

    /**
     * Remakes the ids used since the last call, for the next iteration, and collects the heap.
     *
     * @return how many ids the measured path had to build since the last call (0 when the ring was enough)
     */
    long refill() {
        if (!unique || next == 0) {
            return 0;
        }
        int used = Math.min(next, ring.length);
        lap++;
        for (int i = 0; i < used; i++) {
            ring[i] = prefix + lap + "-" + i;
        }
        next = 0;
        System.gc(); // promote the new ids now, not in the middle of the next iteration
        long built = unprepared;
        unprepared = 0;
        return built;
    }

    int size() {
        return ring.length;
    }

    /**
     * {@link #refill()}, between iterations, saying on stdout when the measured path had to build ids ({@code
     * cost}: what that did to the figure, e.g. " (slower)", or "").
     */
    void refillBetweenIterations(String benchmark, String cost) {
        long built = refill();
        if (built > 0) {
            System.out.printf("%n[%s] the %,d prepared ids ran out: %,d more were made in the measured path%s;"
                    + " give more with -p ring=%d%n", benchmark, size(), built, cost, size() * 2);
        }
    }
}
