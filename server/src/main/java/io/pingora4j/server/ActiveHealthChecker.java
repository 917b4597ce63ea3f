package io.pingora4j.server;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.HealthCheckSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each upstream's {@code health_check} against every backend, every {@code check_frequency},
 * and feeds the results to the backend's health state (which applies the success/failure
 * thresholds; a backend that is down is skipped by every selector).
 *
 * <p>As in Pingap, each backend is checked at its own address; the URL's host is sent as the Host
 * header. {@code http://} checks expect the configured status (2xx by default), {@code tcp://}
 * checks a connect. The checks block, so they run on one daemon thread of their own, never on an
 * event loop.
 *
 * <p>Thread-safe: started and stopped once.
 */
final class ActiveHealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecker.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pingora4j-health");
        t.setDaemon(true);
        return t;
    });

    /** Problems with health checks this build cannot run, as "key: reason" lines. */
    static List<String> problems(Collection<UpstreamGroup> groups) {
        List<String> out = new ArrayList<>();
        for (UpstreamGroup g : groups) {
            HealthCheckSpec spec = g.config.healthCheck();
            if (spec != null && spec.scheme() != HealthCheckSpec.Scheme.HTTP && spec.scheme() != HealthCheckSpec.Scheme.TCP) {
                out.add("upstreams." + g.name + ".health_check: " + spec.scheme().name().toLowerCase()
                        + " checks are not supported by this build yet (http:// and tcp:// are)");
            }
        }
        return out;
    }

    void start(Collection<UpstreamGroup> groups) {
        for (UpstreamGroup g : groups) {
            HealthCheckSpec spec = g.config.healthCheck();
            if (spec == null) {
                continue;
            }
            long every = Math.max(100, spec.checkFrequency().toMillis());
            timer.scheduleWithFixedDelay(() -> checkAll(g, spec), 0, every, TimeUnit.MILLISECONDS);
        }
    }

    private static void checkAll(UpstreamGroup g, HealthCheckSpec spec) {
        for (int i = 0; i < g.set.size(); i++) {
            Backend b = g.set.backend(i);
            boolean ok = check(spec, b);
            boolean changed = g.set.health(i).onActiveCheck(ok);
            if (changed) {
                LOG.warn("upstream '{}': backend {} is now {}", g.name, b.address(), g.set.health(i).state());
            }
        }
    }

    static boolean check(HealthCheckSpec spec, Backend b) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(b.host(), b.port()), (int) spec.connectionTimeout().toMillis());
            if (spec.scheme() == HealthCheckSpec.Scheme.TCP) {
                return true;
            }
            s.setSoTimeout((int) spec.readTimeout().toMillis());
            String host = spec.host().isEmpty() ? b.host() : (spec.port() > 0 ? spec.host() + ":" + spec.port() : spec.host());
            String path = spec.path().isEmpty() ? "/" : spec.path();
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: pingora4j-health-check\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int status = readStatus(s.getInputStream());
            return status > 0 && spec.isExpectedStatus(status);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The status code of "HTTP/1.x NNN ...", or -1. */
    private static int readStatus(InputStream in) throws IOException {
        byte[] line = new byte[12];
        int n = 0;
        while (n < line.length) {
            int r = in.read(line, n, line.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        if (n < 12 || line[0] != 'H' || line[8] != ' ') {
            return -1;
        }
        int status = 0;
        for (int k = 9; k < 12; k++) {
            if (line[k] < '0' || line[k] > '9') {
                return -1;
            }
            status = status * 10 + (line[k] - '0');
        }
        return status;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
