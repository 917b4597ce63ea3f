package io.pingora4j.limits;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; starts far from zero so origins are exercised. */
final class FakeClock implements NanoClock {

    private final AtomicLong now;

    FakeClock() {
        this(7_000_000_000_123L);
    }

    FakeClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }

    void advanceMillis(long millis) {
        advance(millis * 1_000_000L);
    }
}
