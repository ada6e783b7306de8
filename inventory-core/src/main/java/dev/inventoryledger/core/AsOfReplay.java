package dev.inventoryledger.core;

import dev.inventoryledger.core.internal.EventTimeClock;

import java.time.Instant;
import java.util.Objects;

/**
 * Rebuilds a ledger from a history of events as of an instant: the audit path ("what did we believe was
 * sellable at 14:03 during the sale?"). The state as of the cut is the state after the events whose
 * {@code event_time} is at or before it, with holds whose expiry is at or before it lapsed (the README, "Replay and audit";
 * "Durability and replay").
 *
 * <ul>
 *   <li>Events are applied in the order they are offered (the order they were recorded, e.g. a topic's
 *       partition order), with the ledger's rules: a redelivery counts once, of two events with one identity
 *       and different payloads the first stands.</li>
 *   <li>While an event is applied the ledger's clock shows that event's time, so a held copy with a later
 *       {@code expires_at} extends its hold only if the hold had not lapsed when the copy was sent; when the
 *       replay is {@link #finish() finished} the clock stands at the cut, where holds due by then no longer
 *       count. The wall clock is never read.</li>
 * </ul>
 *
 * <pre>{@code
 * AsOfReplay replay = AsOfReplay.asOf(Instant.parse("2026-03-14T14:03:00Z"), InventoryLedger.builder());
 * for (InventoryEvent e : history) {
 *     if (!replay.isAfterCut(e)) {
 *         replay.apply(e);
 *     }
 * }
 * InventoryLedger then = replay.finish();
 * }</pre>
 *
 * <p>Not thread-safe: one thread replays. The Kafka module's {@code rebuildAsOf} and the examples' replay tool
 * are built on it.
 */
public final class AsOfReplay {
    private final Instant cut;
    private final EventTimeClock clock;
    private final InventoryLedger ledger;

    private AsOfReplay(Instant cut, InventoryLedger.Builder settings) {
        this.cut = cut;
        this.clock = new EventTimeClock(cut == null ? Instant.EPOCH : cut);
        this.ledger = settings.clock(clock).build();
    }

    /**
     * A replay into a new ledger built from {@code settings}, whose clock is replaced by the replay's own (do
     * not reuse the builder for a live ledger). Its listeners and meter registry, if any, hear the replay.
     *
     * @param cut the instant the state is wanted as of; null for no cut (every event is applied, and holds
     *            keep the expiry state of the last event applied)
     * @throws NullPointerException if {@code settings} is null
     */
    public static AsOfReplay asOf(Instant cut, InventoryLedger.Builder settings) {
        return new AsOfReplay(cut, Objects.requireNonNull(settings, "settings"));
    }

    /** The cut, or null. */
    public Instant cut() {
        return cut;
    }

    /** True if the event's time is after the cut: it is not part of the state as of the cut. */
    public boolean isAfterCut(InventoryEvent event) {
        return cut != null && event.eventTime().isAfter(cut);
    }

    /**
     * Applies one event at its own event time.
     *
     * @return what the ledger did with it (see {@link InventoryLedger#apply})
     * @throws IllegalArgumentException if the event is after the cut
     * @throws InvalidEventException    if a count would overflow; nothing changed
     */
    public ApplyOutcome apply(InventoryEvent event) {
        if (isAfterCut(event)) {
            throw new IllegalArgumentException("event_time " + event.eventTime() + " is after the cut " + cut
                    + " (" + event + ")");
        }
        clock.set(event.eventTime());
        return ledger.apply(event);
    }

    /** The rebuilt ledger, its clock now at the cut (if there is one); reads no longer count holds due by then. */
    public InventoryLedger finish() {
        if (cut != null) {
            clock.set(cut);
        }
        return ledger;
    }
}
