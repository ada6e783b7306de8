package dev.inventoryledger.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which product a shopper wants, as the benchmarks draw it: popularity follows a Zipf law (the product of
 * rank r, counted from 0, is wanted with weight 1/(r+1)<sup>s</sup>), and the ranks are scattered over the
 * products by a seeded shuffle, so that the most wanted product is not the first id.
 *
 * <p>Immutable after construction; safe to share between threads.
 */
public final class Popularity {
    private final int[] productByRank;
    private final double[] cumulative;

    /**
     * Ranks {@code products} products with exponent {@code exponent}; the shuffle of the ranks takes
     * {@code products - 1} draws from {@code random}.
     */
    public Popularity(int products, double exponent, SplittableRandom random) {
        productByRank = shuffled(products, random);
        cumulative = zipfCumulative(products, exponent);
    }

    /** The popularity rank that {@code u}, uniform in [0, 1), falls on. */
    public int rank(double u) {
        int rank = Arrays.binarySearch(cumulative, u);
        return rank >= 0 ? rank : Math.min(-rank - 1, cumulative.length - 1);
    }

    /** The product, from 0, of popularity rank {@code rank} (0: the most wanted). */
    public int productOfRank(int rank) {
        return productByRank[rank];
    }

    /** 0..n-1 in the order of a Fisher–Yates shuffle. */
    private static int[] shuffled(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** P(rank ≤ r) for ranks 0..n-1 under a Zipf law with exponent s. */
    private static double[] zipfCumulative(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += 1 / Math.pow(r + 1, s);
            c[r] = sum;
        }
        for (int r = 0; r < n; r++) {
            c[r] /= sum;
        }
        return c;
    }
}
