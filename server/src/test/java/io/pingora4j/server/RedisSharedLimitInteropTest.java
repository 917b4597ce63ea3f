package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.shared.CountSync;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two proxies (two servers in this JVM) sharing one {@code limit} of 100 requests a second for one
 * client through a real {@code redis-server} (Debian's {@code redis-server}; the test fails when it
 * is missing). The client offers 150 a second to each proxy for 10 s (3x the limit), paced, on new
 * connections.
 *
 * <p>The stated bound ({@code SharedRateLimiter}): per window the fleet admits at most
 * {@code max + (N-1)*b}, b = what one proxy admits in one sync lag (5 ms sync + round trip: at
 * 150/s, b <= 2). Over a 10 s run that is not aligned to the 1 s windows the sliding limit admits
 * between 9 and 11 windows' worth: accepted in [900, 1100 + 2*2]. Each proxy limiting on its own
 * would accept about 2,000.
 */
@Tag("interop")
class RedisSharedLimitInteropTest {

    private static final int PER_PROXY_RATE = 150;
    private static final Duration RUN = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private RedisServer redis;
    private int redisPort;
    private TestOrigin origin;
    private RunningProxy a;
    private RunningProxy b;

    @BeforeEach
    void start() throws IOException {
        redisPort = FreePort.pick();
        redis = RedisServer.start(dir, redisPort);
        origin = TestOrigin.start("a");
        a = proxy();
        b = proxy();
    }

    private RunningProxy proxy() {
        return RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.fleet]
                category = "limit"
                tag = "ip"
                max = 100
                interval = "1s"
                store = "redis://127.0.0.1:%3$d/0"

                [locations.api]
                path = "/"
                upstream = "backend"
                plugins = ["fleet"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api"]
                """.formatted(origin.addr(), port, redisPort));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (AutoCloseable c : new AutoCloseable[] {a, b, origin, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }

    @Test
    void twoProxiesShareAHundredPerSecondLimitWithinTheStatedBoundOverTenSeconds() throws Exception {
        int[] accepted = load(RUN, a.port(), b.port());
        int total = accepted[0] + accepted[1];
        System.out.printf("fleet accepted %d in %d s (proxy a %d, proxy b %d)%n", total, RUN.toSeconds(),
                accepted[0], accepted[1]);
        assertTrue(total >= 900 && total <= 1104, "fleet accepted " + total + " (a " + accepted[0] + ", b "
                + accepted[1] + "); the stated bound is 900..1104");
    }

    @Test
    void redisKilledBothProxiesKeepServingUnderLocalLimits() throws Exception {
        redis.stop();
        Await.until("the limit store marked down", () -> CountSync.all().stream()
                .anyMatch(s -> s.describe().endsWith(":" + redisPort + "/0") && !s.up() && s.failures() > 0));

        int[] accepted = load(Duration.ofSeconds(2), a.port(), b.port());
        System.out.printf("redis down: accepted a %d, b %d in 2 s%n", accepted[0], accepted[1]);
        // each proxy limits on its own: 100 a second each, sliding, over 2 s: 100..300 each
        assertTrue(accepted[0] >= 100 && accepted[0] <= 300, "proxy a accepted " + accepted[0]);
        assertTrue(accepted[1] >= 100 && accepted[1] <= 300, "proxy b accepted " + accepted[1]);
    }

    /** Offers {@link #PER_PROXY_RATE} requests a second to each port for {@code run}; returns the 200s per port. */
    private static int[] load(Duration run, int... ports) throws InterruptedException {
        AtomicInteger[] ok = new AtomicInteger[ports.length];
        AtomicInteger unexpected = new AtomicInteger();
        Thread[] threads = new Thread[ports.length];
        long start = System.nanoTime();
        long end = start + run.toNanos();
        long gap = TimeUnit.SECONDS.toNanos(1) / PER_PROXY_RATE;
        for (int i = 0; i < ports.length; i++) {
            int port = ports[i];
            AtomicInteger count = ok[i] = new AtomicInteger();
            threads[i] = new Thread(() -> {
                for (long next = start; next < end; next += gap) {
                    LockSupport.parkNanos(next - System.nanoTime()); // pacing the offered load
                    try {
                        int status = WireClient.exchange(port, "GET /x HTTP/1.1", "Host: localhost").status();
                        if (status == 200) {
                            count.incrementAndGet();
                        } else if (status != 429) {
                            unexpected.incrementAndGet();
                        }
                    } catch (IOException e) {
                        unexpected.incrementAndGet();
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, unexpected.get(), "answers other than 200 or 429, or failed exchanges");
        int[] out = new int[ports.length];
        for (int i = 0; i < ports.length; i++) {
            out[i] = ok[i].get();
        }
        return out;
    }
}
