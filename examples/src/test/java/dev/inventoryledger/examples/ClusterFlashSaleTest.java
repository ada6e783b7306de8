package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClusterFlashSale} at a short length, with its broker and storefronts in child JVMs: the cluster's sale
 * never sells more than the stock, whichever instance is killed, and the article's sums over its topics equal a
 * replica once the last holds lapsed; what the replica-only sale did is printed
 * beside it (its oversell is likely, not certain, in a short sale: not asserted). No timings are asserted.
 */
class ClusterFlashSaleTest {
    @Test
    void theClustersSaleSellsNoMoreThanTheStockWithAStorefrontKilled() throws Exception {
        Run run = Run.of("--seconds=8");
        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).containsPattern("cluster sale: 3 storefronts, 8 buyers each, 100 units; storefront-\\d "
                        + "killed \\(SIGKILL\\) mid-sale")
                .containsPattern("units sold \\(read back\\) +\\d+ +\\d+")
                .contains("InventoryCluster: units oversold: 0")
                .containsPattern("replica-only reservations: units oversold: \\d+");
        // once the last holds lapsed, an outside reader's article sums over the cluster's topics are the replica's
        java.util.regex.Matcher replica = java.util.regex.Pattern.compile("a replica: available/held +(-?\\d+ / -?\\d+)")
                .matcher(run.out()), article = java.util.regex.Pattern.compile(
                "the article's SQL, same +(-?\\d+ / -?\\d+)").matcher(run.out());
        assertThat(replica.find() && article.find()).as(run.out()).isTrue();
        assertThat(article.group(1)).as("the article's sums over the cluster's topics").isEqualTo(replica.group(1));
        // the README's run of it shows the same lines, up to their figures (which instance was killed aside)
        String shown = ReadmeSections.codeBlocksUnder("## Across several instances: `InventoryCluster`").get(1);
        java.util.List<String> printed = run.out().lines().map(ReadmeSections::shape).toList();
        shown.lines().filter(l -> !l.isBlank() && !l.equals("...") && !l.contains("killed"))
                .forEach(l -> assertThat(printed).as("the README shows\n%s", l).contains(ReadmeSections.shape(l)));
    }

    @Test
    void aBadArgumentIsNamedAndExits64() throws Exception {
        Run run = Run.of("--seconds=2");
        assertThat(run.status()).isEqualTo(64);
        assertThat(run.out()).contains("unexpected argument '--seconds=2'");
    }

    /** One run in this JVM (its broker and storefronts in child JVMs): its exit status and what it printed. */
    private record Run(int status, String out) {
        static Run of(String... args) throws Exception {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int status;
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                status = ClusterFlashSale.run(args, out);
            }
            return new Run(status, bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
