package io.pingora4j.limits;

/**
 * Integer arithmetic shared by the windowed limiters: how much of the previous window
 * still counts at a point in the current one, and how long until a request fits.
 * Cold-path helpers (Retry-After) may search; everything here is allocation-free.
 */
final class WindowArithmetic {

    private WindowArithmetic() {
    }

    /**
     * The previous window's contribution at {@code elapsed} nanoseconds into the current one:
     * {@code floor(floor(previous * weight) * (window - elapsed) / window)}. A weight of 1
     * is exact; 0 makes a fixed window.
     */
    static long weighted(long previous, double weight, long elapsed, long window) {
        long scaled;
        if (weight == 1.0) {
            scaled = previous;
        } else if (weight == 0.0 || previous == 0) {
            return 0;
        } else {
            scaled = (long) Math.floor(previous * weight);
        }
        return mulDivFloor(scaled, window - elapsed, window);
    }

    /**
     * Nanoseconds from {@code elapsed} until {@code n} more fits under {@code max}, assuming no
     * other arrivals; 0 if it fits now, {@link Long#MAX_VALUE} if it never can.
     */
    static long nanosUntilRoom(long previous, long current, long elapsed, long window,
                               double weight, long max, long n) {
        if (n > max) {
            return Long.MAX_VALUE;
        }
        if (weighted(previous, weight, elapsed, window) + current + n <= max) {
            return 0;
        }
        if (current + n <= max) {
            // The previous window slides out as time passes: look later in this window.
            long at = firstFit(previous, current + n, elapsed + 1, window, weight, max);
            if (at < window) {
                return at - elapsed;
            }
        }
        // In the next window, this window's count becomes the previous one and nothing is current.
        long untilNext = window - elapsed;
        long at = firstFit(current, n, 0, window, weight, max);
        return at < window ? untilNext + at : untilNext + window;
    }

    /** Smallest e in [from, window) with weighted(previous, e) + fixed <= max, or window if none. */
    private static long firstFit(long previous, long fixed, long from, long window, double weight, long max) {
        long lo = from;
        long hi = window;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (weighted(previous, weight, mid, window) + fixed <= max) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * floor(a * b / c) for a, b >= 0 and c > 0 whose result fits in a long, exact even when
     * a * b overflows, and allocation-free: a double estimate corrected against the exact
     * 128-bit product.
     */
    static long mulDivFloor(long a, long b, long c) {
        long low = a * b;
        long high = Math.multiplyHigh(a, b);
        if (high == 0 && low >= 0) {
            return low / c;
        }
        long q = (long) ((double) a * (double) b / (double) c);
        while (q > 0 && compareProduct(q, c, high, low) > 0) {
            q--;
        }
        while (compareProduct(q + 1, c, high, low) <= 0) {
            q++;
        }
        return q;
    }

    /** Compares x * y with the 128-bit value (high, low); all operands non-negative. */
    private static int compareProduct(long x, long y, long high, long low) {
        long h = Math.multiplyHigh(x, y);
        if (h != high) {
            return Long.compare(h, high);
        }
        return Long.compareUnsigned(x * y, low);
    }

    /** Nanoseconds rounded up to whole seconds, for a Retry-After header. */
    static long ceilSeconds(long nanos) {
        long seconds = nanos / 1_000_000_000L;
        return nanos % 1_000_000_000L == 0 ? seconds : seconds + 1;
    }
}
