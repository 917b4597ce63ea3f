package io.pingora4j.lb;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock tests move by hand. */
final class ManualClock implements LongSupplier {

    private volatile long now = 1_000_000_000L;

    @Override
    public long getAsLong() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }
}
