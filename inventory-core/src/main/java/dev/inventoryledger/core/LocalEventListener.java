package dev.inventoryledger.core;

import java.util.List;

/**
 * Told of the events that the ledger's own operations stand for, so that they can be published (the Kafka
 * module's {@code InventoryEventPublisher} is one) and other instances learn what this one did:
 *
 * <ul>
 *   <li>an accepted {@code tryReserve}: one {@code held} reservation event per line, with its
 *       {@code expires_at};</li>
 *   <li>{@code confirm}, per confirmed line: the order and the {@code released} of the units it took, so that
 *       a reader who sums held minus released (the article's SQL) sees the hold end. The order names the
 *       {@code reservation_id} when it takes all the line holds (any ledger that applies it ends the line, as
 *       the confirm did) and is plain when it takes part (the released gives back those units alone, the rest
 *       stays held everywhere). If the order was already applied as a plain event, only the {@code released}.
 *       A confirm after the hold lapsed tells the order alone, naming the reservation: the hold's end is the
 *       lapse's {@code released}, which an {@code InventoryCluster}'s owner writes;</li>
 *   <li>{@code release}: one {@code released} event per line still held, for what it holds; of part of a
 *       hold, one per line named, for the units named. A line's first release carries the plain identity;
 *       a later one an {@code event_id} of its own ({@code <reservation>@<warehouse>#released-<units released
 *       so far>}), so that each counts once everywhere;</li>
 *   <li>{@code extend}: the {@code held} events again, with the later {@code expires_at} (a ledger that
 *       applies a known {@code held} with a later expiry extends the hold; a reader that drops duplicates by
 *       identity counts it once).</li>
 * </ul>
 *
 * <p>An echo that comes back later than the
 * {@link InventoryLedger.Builder#dedupHorizon(java.time.Duration) dedup horizon} after its event time, its
 * identity forgotten, is refused as {@link ApplyOutcome#LATE}, never counted again.
 * A partial release has no such gap: each ledger gives back exactly the units released.
 *
 * <p>Nothing is told for calls that change nothing (a refused reservation, an idempotent repeat, a hold
 * that had already ended) nor for holds that lapse by themselves: every ledger lapses them at the
 * {@code expires_at} it was given (a reader of the article's sums learns of a lapse only from a
 * {@code released} that someone writes: an {@code InventoryCluster}'s owner does). The ledger has registered each event's identity before telling, so the
 * echo of a published event read back into the same ledger counts as a duplicate.
 *
 * <p>Called on the thread that made the change, after the ledger has released its locks and before the
 * operation returns, with the events of one operation in one list; operations made one after another are
 * told in that order. A listener that throws does not undo the change; the exception is counted
 * ({@code inventory.alert.listener.failures}) and dropped.
 */
@FunctionalInterface
public interface LocalEventListener {
    /** The events one operation stands for, in line order; never empty. */
    void onLocalEvents(List<InventoryEvent> events);
}
