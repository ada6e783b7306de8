package dev.inventoryledger.core.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it ({@link #advance}, {@link #set}), in UTC, for every test that
 * hands a ledger its time. Thread-safe: any thread may read or move it; a read sees the latest move.
 */
public final class ManualClock extends Clock {
    /** Where a clock made with {@link #ManualClock()} starts. */
    public static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock at {@link #START}. */
    public ManualClock() {
        this(START);
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    public void set(Instant t) {
        now.set(t);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock stays in UTC");
    }
}
