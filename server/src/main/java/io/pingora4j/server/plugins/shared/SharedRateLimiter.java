package io.pingora4j.server.plugins.shared;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A rate limit held by a fleet of proxies together: {@code max} requests per key per interval
 * across all of them, counted in a shared {@link CounterStore}.
 *
 * <p>The request path never waits on the store. Each proxy admits against what it knows: the
 * fleet's total for the key's window as last read from the store, plus what it has admitted
 * itself since it last sent its counts. A {@link CountSync} thread sends those counts every
 * sync interval (one INCRBY per busy key and window; it answers the new fleet total) and reads
 * the totals of keys it has nothing to add to. Windows are aligned to wall-clock time
 * ({@code epochMillis / interval}), so every proxy counts the same window.
 *
 * <p><b>Error bound.</b> A proxy learns of another's admissions at most one sync lag late
 * (sync interval plus one store round trip). So within one window the fleet admits at most
 * {@code max + (N - 1) * b} for a key, where {@code N} is the number of proxies and {@code b}
 * the most one proxy admits for that key in one sync lag (at most its share of the client's
 * request rate times the lag; never more than {@code max}). A client sending {@code r} requests
 * a second spread over {@code N} proxies, 5 ms sync and a 1 ms round trip, gets
 * {@code b <= r * 0.006 / N + 1}. With {@code weight > 0} the previous window counts as in the
 * local limiter (a sliding estimate), which spreads admissions out and so keeps {@code b} small.
 *
 * <p>Store unreachable: with {@code failOpen} each proxy falls back to its own counts (a local
 * limit of {@code max} per proxy, so at most {@code N * max} for the fleet); without it every
 * request under this limit is refused until the store answers again.
 *
 * <p>Thread-safety: {@link #tryAcquire} is called by every event loop at once: a key's counts are
 * updated by CAS; a window roll (once per interval per key) takes the key's monitor for a few
 * field writes. The sync fields of a {@link Window} are written by the sync thread only.
 */
public final class SharedRateLimiter {

    private final String name;
    private final long max;
    private final double weight;
    private final long intervalMillis;
    private final boolean failOpen;
    private final LongSupplier millis;
    private final Map<String, KeyCounts> keys = new ConcurrentHashMap<>();
    /** Written by the sync thread: whether the last round reached the store. */
    private volatile boolean storeUp = true;

    /**
     * @param name           the plugin's name, part of the store's keys so two limits never share counts
     * @param max            requests per key per interval, fleet-wide
     * @param intervalMillis the window, in milliseconds
     * @param weight         share of the previous window that counts, 0..1 (as in the local limiter)
     * @param failOpen       store unreachable: limit locally (true) or refuse (false)
     * @param millis         wall-clock milliseconds
     */
    public SharedRateLimiter(String name, long max, long intervalMillis, double weight, boolean failOpen,
                             LongSupplier millis) {
        if (max < 1 || intervalMillis < 1 || !(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("max " + max + ", interval " + intervalMillis + " ms, weight " + weight);
        }
        this.name = name;
        this.max = max;
        this.intervalMillis = intervalMillis;
        this.weight = weight;
        this.failOpen = failOpen;
        this.millis = millis;
    }

    /** Admits one request for {@code key} if the fleet, as far as this proxy knows, has room, and counts it. */
    public boolean tryAcquire(String key) {
        boolean up = storeUp;
        if (!up && !failOpen) {
            return false;
        }
        long now = millis.getAsLong();
        long number = now / intervalMillis;
        KeyCounts k = keys.get(key);
        if (k == null) { // a new key (the cold path): no capturing lambda on the common path
            KeyCounts fresh = new KeyCounts(key, number);
            k = keys.putIfAbsent(key, fresh);
            if (k == null) {
                k = fresh;
            }
        }
        Window current = k.current(number);
        Window previous = k.previous(number);
        double carried = 0;
        if (weight > 0 && previous != null) {
            double left = 1.0 - (double) (now - number * intervalMillis) / intervalMillis;
            carried = weight * previous.measure(up) * left;
        }
        while (true) {
            long admitted = current.admitted.get();
            long measure = (long) carried + current.measureWith(admitted, up);
            if (measure + 1 > max) {
                return false;
            }
            if (current.admitted.compareAndSet(admitted, admitted + 1)) {
                return true;
            }
        }
    }

    /** Seconds until the next window: a Retry-After for a refusal (at least 1). */
    public long retryAfterSeconds() {
        long now = millis.getAsLong();
        long untilNext = intervalMillis - now % intervalMillis;
        return Math.max(1, (untilNext + 999) / 1000);
    }

    String name() {
        return name;
    }

    long intervalMillis() {
        return intervalMillis;
    }

    long nowMillis() {
        return millis.getAsLong();
    }

    Map<String, KeyCounts> keys() {
        return keys;
    }

    boolean storeUp() {
        return storeUp;
    }

    void storeUp(boolean up) {
        storeUp = up;
    }

    /** The store key of one window's count for one key of this limit. */
    String storeKey(String key, long window) {
        return "pingora4j:limit:" + name + ":" + key + ":" + window;
    }

    /** One key's current and previous windows. */
    static final class KeyCounts {
        final String key;
        private volatile Window current;
        private volatile Window previous;

        KeyCounts(String key, long number) {
            this.key = key;
            this.current = new Window(number);
        }

        Window current(long number) {
            Window c = current;
            if (c.number == number) {
                return c;
            }
            synchronized (this) {
                c = current;
                if (c.number < number) {
                    previous = c.number == number - 1 ? c : null;
                    c = new Window(number);
                    current = c;
                }
                // a loop whose clock reading is a window behind uses the newer window: it only
                // counts earlier against the next window, never past max
                return c;
            }
        }

        Window previous(long number) {
            Window p = previous;
            return p != null && p.number == number - 1 ? p : null;
        }

        /** The windows the sync thread still has to send or read (current, then previous). */
        Window currentWindow() {
            return current;
        }

        Window previousWindow() {
            return previous;
        }
    }

    /**
     * One key's count in one window. {@code admitted} is this proxy's own count (CAS by the loops);
     * {@code sent} is how much of it the store has acknowledged and {@code fleet} the store's total
     * at that moment (both written by the sync thread only, fleet before sent: between the two
     * writes the measure overcounts, which can only refuse early).
     */
    static final class Window {
        final long number;
        final AtomicLong admitted = new AtomicLong();
        volatile long sent;
        volatile long fleet;

        Window(long number) {
            this.number = number;
        }

        long measure(boolean storeUp) {
            return measureWith(admitted.get(), storeUp);
        }

        long measureWith(long admittedNow, boolean storeUp) {
            if (!storeUp) {
                return admittedNow; // local limit: this proxy's own count
            }
            return Math.max(fleet, sent) + (admittedNow - sent);
        }
    }
}
