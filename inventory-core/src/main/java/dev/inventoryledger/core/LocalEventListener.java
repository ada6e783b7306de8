package dev.inventoryledger.core;

import java.util.List;

/**
 * Told of the events that the ledger's own operations stand for, so that they can be published (the Kafka
 * module's {@code InventoryEventPublisher} is one) and other instances learn what this one did:
 *
 * <ul>
 *   <li>an accepted {@code tryReserve}: one {@code held} reservation event per line, with its
 *       {@code expires_at};</li>
 *   <li>{@code confirm} (wholly, in part, or after expiry): one order per confirmed line, carrying the
 *       {@code reservation_id}; if that order was already applied as a plain event (without the
 *       reservation), a {@code released} instead, since for every instance that has the order the confirm
 *       only ends the hold;</li>
 *   <li>{@code release}: one {@code released} event per line still held, for what it holds; of part of a
 *       hold, one per line named, for the units named. A line's first release carries the plain identity;
 *       a later one an {@code event_id} of its own ({@code <reservation>@<warehouse>#released-<units released
 *       so far>}), so that each counts once everywhere;</li>
 *   <li>{@code extend}: the {@code held} events again, with the later {@code expires_at} (a ledger that
 *       applies a known {@code held} with a later expiry extends the hold); not for a line partly confirmed
 *       since (see {@link InventoryLedger#confirm(String, String, List)}).</li>
 * </ul>
 *
 * <p>A partial confirm is coarser across instances: another ledger that applies its order, which names the
 * reservation, ends the whole line there, so until the rest is confirmed or released it shows the rest as
 * sellable; then both agree. A renewal of the rest is not told. An echo that comes back later than the
 * {@link InventoryLedger.Builder#dedupHorizon(java.time.Duration) dedup horizon} after its event time, its
 * identity forgotten, is refused as {@link ApplyOutcome#LATE}, never counted again.
 * A partial release has no such gap: each ledger gives back exactly the units released.
 *
 * <p>Nothing is told for calls that change nothing (a refused reservation, an idempotent repeat, a hold
 * that had already ended) nor for holds that lapse by themselves: every ledger lapses them at the
 * {@code expires_at} it was given. The ledger has registered each event's identity before telling, so the
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
