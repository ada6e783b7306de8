package dev.inventoryledger.kafka;

import dev.inventoryledger.core.ApplyOutcome;
import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.InventoryEvent;
import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.core.Position;
import dev.inventoryledger.core.ReservationLine;
import dev.inventoryledger.core.ReservationResult;
import dev.inventoryledger.core.testkit.ArticleSql;
import dev.inventoryledger.core.testkit.ManualClock;
import dev.inventoryledger.kafka.internal.cluster.LapseWatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Reading the topics from elsewhere", as a property of what the library writes: an owner's
 * in-process decisions (holds, baskets, whole and partial confirms, confirms after a lapse, whole and partial
 * releases, extensions) as its ledger tells them, and the lapses its {@link LapseWatch} writes, in random
 * interleavings on a manual clock. Over what was written, with duplicates dropped by identity, the article's
 * two views (on H2, the SQL of core's test fixture) must
 * <ul>
 *   <li>never show less held than the ledger while holds are open (they may show more: a lapse is written
 *       after it is due);</li>
 *   <li>once every hold has ended, equal the ledger's available, held and sellable at every position;</li>
 * </ul>
 * and a replica fed the same records in another order must equal the ledger then too, while the ledger reading
 * its own records back counts each once.
 */
class ArticleSumsProperties {
    private static final int SEEDS = 40, STEPS = 200;
    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    private static final String[] PRODUCTS = {"SKU-1", "SKU-2", "SKU-3"};
    private static final String[] WAREHOUSES = {"WH-1", "WH-2"};

    private final Connection db;
    private final Map<HoldOutcome, Integer> outcomes = new EnumMap<>(HoldOutcome.class);
    private int partialConfirms, partialReleases, lapsesWritten;

    ArticleSumsProperties() throws SQLException {
        db = DriverManager.getConnection("jdbc:h2:mem:article-sums-" + System.nanoTime());
        ArticleSql.createSourceTables(db);
        ArticleSql.createViews(db);
    }

    @AfterEach
    void closeDatabase() throws SQLException {
        db.close();
    }

    @Test
    void theArticlesViewsOverWhatAnOwnerWritesEqualItsLedgerOnceHoldsEnd() throws SQLException {
        for (long seed = 1; seed <= SEEDS; seed++) {
            new History(seed).run();
        }
        assertThat(outcomes).as("hold outcomes reached").containsKeys(HoldOutcome.CONFIRMED,
                HoldOutcome.CONFIRMED_AFTER_EXPIRY, HoldOutcome.RELEASED, HoldOutcome.EXTENDED);
        assertThat(partialConfirms).as("partial confirms").isGreaterThan(20);
        assertThat(partialReleases).as("partial releases").isGreaterThan(20);
        assertThat(lapsesWritten).as("lapses written").isGreaterThan(20);
    }

    private final class History {
        final long seed;
        final Random rnd;
        final ManualClock clock = new ManualClock(T);
        final List<InventoryEvent> written = new ArrayList<>();
        final List<InventoryEvent> echoes = new ArrayList<>();
        final LapseWatch lapses = new LapseWatch();
        final InventoryLedger owner = InventoryLedger.builder().clock(clock).localEventListener(events -> {
            for (InventoryEvent e : events) {
                write(e);
            }
        }).build();
        final List<String> reservations = new ArrayList<>();
        int step;

        History(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        void write(InventoryEvent e) {
            written.add(e);
            echoes.add(e);
            lapses.applied(0, e); // as the owner's replica reads it back
        }

        void run() throws SQLException {
            for (step = 0; step < STEPS; step++) {
                oneOperation();
                if (rnd.nextInt(3) == 0) {
                    writeLapses();
                }
                readBackEchoes();
                if (step % 20 == 0) {
                    Map<String, Position> ledger = positions(owner);
                    article().forEach((k, row) -> assertThat(row.held()).as("held at %s, seed %d step %d", k, seed,
                            step).isGreaterThanOrEqualTo(ledger.get(k).held()));
                }
            }
            clock.advance(Duration.ofHours(1)); // every hold lapses
            writeLapses();
            readBackEchoes();
            Map<String, Position> ledger = positions(owner);
            Map<String, ArticleReader.Row> article = article();
            assertThat(article.keySet()).as("positions, seed %d", seed).isEqualTo(ledger.keySet());
            article.forEach((k, row) -> assertThat(row).as("available, held, sellable at %s, seed %d", k, seed)
                    .isEqualTo(new ArticleReader.Row(ledger.get(k).available(), ledger.get(k).held(),
                            ledger.get(k).sellable())));

            InventoryLedger replica = InventoryLedger.builder().clock(clock).build();
            List<InventoryEvent> shuffled = new ArrayList<>(written);
            Collections.shuffle(shuffled, rnd);
            for (InventoryEvent e : shuffled) {
                assertThat(replica.apply(e)).as("replica applies %s, seed %d", e, seed)
                        .isNotEqualTo(ApplyOutcome.CONFLICT);
            }
            assertThat(positions(replica)).as("a replica fed in another order, seed %d", seed).isEqualTo(ledger);
            assertThat(replica.audit().isClean()).isTrue();
            assertThat(owner.audit().isClean()).isTrue();
        }

        void writeLapses() {
            List<InventoryEvent> lapsed = lapses.lapsed(0, clock.instant().minusSeconds(1), clock.instant());
            lapsesWritten += lapsed.size();
            lapsed.forEach(this::write);
        }

        /** The owner reads back what was written: its own decisions are duplicates; lapses change nothing. */
        void readBackEchoes() {
            for (InventoryEvent e : echoes) {
                Map<String, Position> before = positions(owner);
                ApplyOutcome o = owner.apply(e);
                assertThat(o).as("echo of %s, seed %d step %d", e, seed, step).isIn(ApplyOutcome.DUPLICATE,
                        ApplyOutcome.APPLIED);
                if (o == ApplyOutcome.APPLIED) {
                    assertThat(e.kind().isReservation()).as("only a lapse is new to the owner: %s", e).isTrue();
                }
                assertThat(positions(owner)).as("after the echo of %s, seed %d step %d", e, seed, step)
                        .isEqualTo(before);
            }
            echoes.clear();
        }

        void oneOperation() {
            int dice = rnd.nextInt(20);
            Instant now = clock.instant();
            if (dice < 3 || step < 3) {
                InventoryEvent receipt = InventoryEvent.stockReceived("RCPT-" + seed + "-" + step, product(),
                        warehouse(), 1 + rnd.nextInt(10), now);
                owner.apply(receipt);
                written.add(receipt); // a warehouse's fact, on the same topics
            } else if (dice < 8) {
                String id = "cart-" + step;
                List<ReservationLine> lines = new ArrayList<>();
                for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                    lines.add(ReservationLine.of(product(), warehouse(), 1 + rnd.nextInt(3)));
                }
                ReservationResult r = owner.tryReserve(id, lines, Duration.ofSeconds(30 + rnd.nextInt(300)));
                if (r.accepted()) {
                    reservations.add(id);
                }
            } else if (dice < 11 && !reservations.isEmpty()) {
                String id = recent();
                String order = rnd.nextInt(5) == 0 ? "ORD-" + rnd.nextInt(Math.max(1, step)) : "ORD-" + step;
                List<ReservationLine> part = part(id);
                try {
                    outcomes.merge(part == null ? owner.confirm(id, order) : owner.confirm(id, order, part), 1,
                            Integer::sum);
                    partialConfirms += part == null ? 0 : 1;
                } catch (InvalidEventException moreThanHeld) {
                    assertThat(moreThanHeld.field()).isEqualTo("quantity"); // refused, nothing changed or told
                }
            } else if (dice < 13 && !reservations.isEmpty()) {
                String id = recent();
                List<ReservationLine> part = part(id);
                try {
                    outcomes.merge(part == null ? owner.release(id) : owner.release(id, part), 1, Integer::sum);
                    partialReleases += part == null ? 0 : 1;
                } catch (InvalidEventException moreThanHeld) {
                    assertThat(moreThanHeld.field()).isEqualTo("quantity");
                }
            } else if (dice < 15 && !reservations.isEmpty()) {
                outcomes.merge(owner.extend(recent(), Duration.ofSeconds(60 + rnd.nextInt(300))), 1, Integer::sum);
            } else {
                clock.advance(Duration.ofSeconds(5 + rnd.nextInt(120)));
            }
        }

        /** Half the time, part of one line the reservation still holds (null: the whole reservation). */
        List<ReservationLine> part(String id) {
            if (rnd.nextBoolean()) {
                return null;
            }
            List<ReservationLine> lines = owner.reservationLines(id);
            if (lines.isEmpty()) {
                return null;
            }
            ReservationLine l = lines.get(rnd.nextInt(lines.size())); // what it was held for: part may be gone
            return List.of(ReservationLine.of(l.productId(), l.warehouseId(), 1 + rnd.nextInt((int) l.quantity())));
        }

        String recent() {
            int n = reservations.size();
            return reservations.get(n - 1 - rnd.nextInt(Math.min(n, 5)));
        }

        String product() {
            return PRODUCTS[rnd.nextInt(PRODUCTS.length)];
        }

        String warehouse() {
            return WAREHOUSES[rnd.nextInt(WAREHOUSES.length)];
        }

        /** The article's live_inventory_with_holds over what was written, duplicates dropped by identity. */
        Map<String, ArticleReader.Row> article() throws SQLException {
            return ArticleReader.views(db, ArticleReader.standing(written), clock.instant());
        }
    }

    /**
     * The counts of every position (lastUpdated left out: a lapse written later is an applied event and moves
     * it, on every replica alike).
     */
    private static Map<String, Position> positions(InventoryLedger ledger) {
        Map<String, Position> out = new TreeMap<>();
        for (Position p : ledger.positions()) {
            out.put(p.productId() + "@" + p.warehouseId(), new Position(p.productId(), p.warehouseId(), p.available(),
                    p.held(), p.safetyStock(), p.sellable(), null));
        }
        return out;
    }
}
