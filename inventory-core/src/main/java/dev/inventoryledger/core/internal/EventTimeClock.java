package dev.inventoryledger.core.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A ledger's clock while it is rebuilt from history: it shows the time it is set to (the event time of the
 * event being applied, then the cut), never the wall clock, so that holds lapse by event time.
 *
 * <p>Thread-safety: set by the one thread that replays; volatile so that a reader on another thread sees the
 * last time set.
 */
public final class EventTimeClock extends Clock {
    private volatile Instant now;

    public EventTimeClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock to {@code t}, forward or back. */
    public void set(Instant t) {
        now = t;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(now, zone);
    }
}
