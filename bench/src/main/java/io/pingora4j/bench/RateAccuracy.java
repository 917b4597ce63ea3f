package io.pingora4j.bench;

import io.pingora4j.limits.KeyedRateLimiter;
import io.pingora4j.limits.NanoClock;
import io.pingora4j.limits.Rate;
import java.time.Duration;
import java.util.Locale;

/**
 * How far {@link Rate} and {@link KeyedRateLimiter} are from the truth for one key sending
 * 1,000 requests per second for 10 s of simulated time: a table printed to stdout. No sleeping:
 * a hand-driven {@link NanoClock} steps through the 10 s. Run after {@code mvn -pl bench -am package}:
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.pingora4j.bench.RateAccuracy
 * </pre>
 *
 * <p>Every scenario runs twice: the key alone, and among {@value #NOISE_KEYS} other keys sending
 * {@value #NOISE_RPS} requests per second each (10,000 rps of background), so the count-min
 * sketch ({@value #HASHES} rows x {@value #SLOTS} slots) has collisions to overcount by.
 * Arrivals are evenly spaced; the background is interleaved with the key's requests.
 * <ul>
 *   <li><b>Rate.rate</b>: at each of the 10 interval starts after the first, the previous
 *       interval's estimate against the 1,000 requests sent in it.</li>
 *   <li><b>KeyedRateLimiter.estimate</b> (max high enough to admit everything, weight 1, i.e. a
 *       sliding window): every 7 ms after the first second, the estimate against the true count
 *       of requests in the last second.</li>
 *   <li><b>KeyedRateLimiter enforcement</b>: max 1,000 per second, weight 1, the key now offering
 *       2,000 rps: admitted per second against the limit, and the most admitted in any
 *       sliding 1 s window (checked every ms).</li>
 * </ul>
 */
public final class RateAccuracy {

    static final long SECOND = 1_000_000_000L;
    static final int SECONDS = 10;
    static final int RPS = 1_000;
    static final int NOISE_KEYS = 5_000;
    static final int NOISE_RPS = 2;
    static final int HASHES = 4;
    static final int SLOTS = 1_024;
    static final long SEED = 7;
    static final String KEY = "client-1";

    private RateAccuracy() {
    }

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "one key at %d rps for %d s simulated; sketch %d x %d; background: %s%n",
                RPS, SECONDS, HASHES, SLOTS, NOISE_KEYS + " keys x " + NOISE_RPS + " rps");
        System.out.printf(Locale.ROOT, "%-44s %-10s %12s %12s%n", "check", "background", "mean error", "max error");
        for (boolean noise : new boolean[] {false, true}) {
            rateEstimate(noise);
            slidingEstimate(noise);
            enforcement(noise);
        }
    }

    /** Rate.rate at each interval start against the requests sent in the interval before. */
    static void rateEstimate(boolean noise) {
        SimulatedClock clock = new SimulatedClock();
        Rate rate = new Rate(Duration.ofSeconds(1), HASHES, SLOTS, clock, SEED);
        Errors errors = new Errors();
        Traffic traffic = new Traffic(RPS, noise);
        long end = SECONDS * SECOND;
        long nextSample = SECOND;
        while (clock.now < end) {
            long t = traffic.nextArrival();
            if (t >= nextSample) {
                clock.now = nextSample;
                errors.add(rate.rate(KEY), RPS);
                nextSample += SECOND;
            }
            if (t >= end) {
                break;
            }
            clock.now = t;
            rate.observe(traffic.keyOfArrival(), 1);
        }
        errors.print("Rate.rate (previous 1 s interval)", noise);
    }

    /** KeyedRateLimiter.estimate against the true count of the last second, every 7 ms. */
    static void slidingEstimate(boolean noise) {
        SimulatedClock clock = new SimulatedClock();
        KeyedRateLimiter limiter = new KeyedRateLimiter(Long.MAX_VALUE / 4, Duration.ofSeconds(1), 1.0,
                HASHES, SLOTS, clock, SEED);
        Errors errors = new Errors();
        Traffic traffic = new Traffic(RPS, noise);
        long step = 7_000_000L;
        long nextSample = SECOND + step + 500_000L; // between arrivals, so "in the last second" is unambiguous
        long end = SECONDS * SECOND;
        while (true) {
            long t = traffic.nextArrival();
            while (nextSample <= Math.min(t, end)) {
                clock.now = nextSample;
                // key arrivals at k * 1 ms, k >= 0: those in (now - 1 s, now]; 1,000 at this constant rate
                long truth = Math.floorDiv(nextSample, SECOND / RPS) - Math.floorDiv(nextSample - SECOND, SECOND / RPS);
                errors.add(limiter.estimate(KEY), truth);
                nextSample += step;
            }
            if (t >= end) {
                break;
            }
            clock.now = t;
            if (!limiter.tryAcquire(traffic.keyOfArrival())) {
                throw new IllegalStateException("the estimate limiter must admit everything");
            }
        }
        errors.print("KeyedRateLimiter.estimate (sliding 1 s)", noise);
    }

    /** KeyedRateLimiter at max 1,000/s with 2,000 rps offered. */
    static void enforcement(boolean noise) {
        SimulatedClock clock = new SimulatedClock();
        KeyedRateLimiter limiter = new KeyedRateLimiter(RPS, Duration.ofSeconds(1), 1.0, HASHES, SLOTS, clock, SEED);
        Traffic traffic = new Traffic(2 * RPS, noise);
        long end = SECONDS * SECOND;
        int[] admittedPerMilli = new int[(int) (end / 1_000_000L)];
        while (true) {
            long t = traffic.nextArrival();
            if (t >= end) {
                break;
            }
            clock.now = t;
            boolean admitted = limiter.tryAcquire(traffic.keyOfArrival());
            if (admitted && traffic.arrivalIsKey()) {
                admittedPerMilli[(int) (t / 1_000_000L)]++;
            }
        }
        Errors perSecond = new Errors();
        for (int s = 0; s < SECONDS; s++) {
            int sum = 0;
            for (int ms = s * 1_000; ms < (s + 1) * 1_000; ms++) {
                sum += admittedPerMilli[ms];
            }
            perSecond.add(sum, RPS);
        }
        perSecond.print("limiter, admitted per interval (2x offered)", noise);
        int window = 0;
        int worst = 0;
        for (int ms = 0; ms < admittedPerMilli.length; ms++) {
            window += admittedPerMilli[ms];
            if (ms >= 1_000) {
                window -= admittedPerMilli[ms - 1_000];
            }
            worst = Math.max(worst, window);
        }
        System.out.printf(Locale.ROOT, "%-44s %-10s %12s %+11.2f%%  (%d in the worst 1 s window, limit %d)%n",
                "limiter, most admitted in any sliding 1 s", noise ? "10k rps" : "none", "",
                100.0 * (worst - RPS) / RPS, worst, RPS);
    }

    /**
     * The key's evenly spaced requests at {@code keyRps}, merged with the background: {@code NOISE_KEYS}
     * keys at {@code NOISE_RPS} each, also evenly spaced, in round-robin key order.
     */
    private static final class Traffic {
        private final long keyGap;
        private final long noiseGap;
        private final String[] noiseKeys;
        private long nextKey;
        private long nextNoise;
        private int noiseIndex;
        private boolean lastWasKey;

        Traffic(int keyRps, boolean noise) {
            this.keyGap = SECOND / keyRps;
            this.noiseKeys = new String[noise ? NOISE_KEYS : 0];
            for (int i = 0; i < noiseKeys.length; i++) {
                noiseKeys[i] = "noise-" + i;
            }
            this.noiseGap = noise ? SECOND / ((long) NOISE_KEYS * NOISE_RPS) : Long.MAX_VALUE;
            this.nextNoise = noise ? noiseGap / 2 : Long.MAX_VALUE; // offset so the two streams interleave
        }

        /** The time of the next arrival; {@link #keyOfArrival()} then names its key. */
        long nextArrival() {
            if (nextKey <= nextNoise) {
                lastWasKey = true;
                long t = nextKey;
                nextKey += keyGap;
                return t;
            }
            lastWasKey = false;
            long t = nextNoise;
            nextNoise += noiseGap;
            return t;
        }

        boolean arrivalIsKey() {
            return lastWasKey;
        }

        String keyOfArrival() {
            if (lastWasKey) {
                return KEY;
            }
            String key = noiseKeys[noiseIndex];
            noiseIndex = noiseIndex + 1 == noiseKeys.length ? 0 : noiseIndex + 1;
            return key;
        }
    }

    /** Signed relative errors: mean and the largest in magnitude. */
    private static final class Errors {
        private double sum;
        private double worst;
        private int count;

        void add(long estimate, long truth) {
            double error = (double) (estimate - truth) / truth;
            sum += error;
            if (Math.abs(error) > Math.abs(worst)) {
                worst = error;
            }
            count++;
        }

        void print(String check, boolean noise) {
            System.out.printf(Locale.ROOT, "%-44s %-10s %+11.2f%% %+11.2f%%   (%d samples)%n",
                    check, noise ? "10k rps" : "none", 100 * sum / count, 100 * worst, count);
        }
    }

    /** Simulated time, moved by hand. Single-threaded. */
    private static final class SimulatedClock implements NanoClock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }
    }
}
