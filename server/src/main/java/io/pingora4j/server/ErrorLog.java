package io.pingora4j.server;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line for every response the proxy made itself (an upstream it could not reach or that
 * failed, a timeout, a limit, a refused request, a malformed one): where (server, location),
 * toward what (upstream, backend address, attempts), the status, the cause and the time spent, so
 * a 502 is never silent. Lines are capped at {@code burst} per {@code interval}: past that they are
 * counted, and the next line written says how many were left out, so a flood of failures cannot
 * fill a disk.
 *
 * <p>Thread-safe: loops log concurrently; the cap is a CAS on a window start and a counter (the
 * cold path only: a request that succeeds never comes here).
 */
final class ErrorLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.pingora4j.server.ErrorLog");

    private final Consumer<String> sink;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int burst;
    private final AtomicLong windowStart;
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong suppressedTotal = new AtomicLong();

    ErrorLog(Duration interval, int burst) {
        this(interval, burst, LOG::warn, System::nanoTime);
    }

    ErrorLog(Duration interval, int burst, Consumer<String> sink, LongSupplier nanoClock) {
        this.sink = sink;
        this.nanoClock = nanoClock;
        this.intervalNanos = interval.toNanos();
        this.burst = burst;
        this.windowStart = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Logs the proxy's own answer to a request.
     *
     * @param server    the server's name
     * @param location  the location, or null (none took the request)
     * @param upstream  the upstream's name, or null
     * @param status    the status sent (0: none could be sent)
     * @param cause     what went wrong (the error, or the limit plugin that refused)
     */
    void log(Session session, String server, String location, String upstream, int attempts, int status,
             String cause) {
        if (!admit()) {
            return;
        }
        HttpPeer peer = session.peer();
        long ms = Math.max(0, (System.nanoTime() - session.startNanos()) / 1_000_000);
        StringBuilder b = new StringBuilder(160);
        b.append(status > 0 ? Integer.toString(status) : "no response").append(' ');
        appendRequestLine(b, session);
        b.append(" server=").append(server)
                .append(" location=").append(location == null ? "-" : location)
                .append(" upstream=").append(upstream == null ? "-" : upstream)
                .append(" backend=").append(peer == null ? "-" : peer.address());
        if (attempts > 1) {
            b.append(" attempts=").append(attempts);
        }
        b.append(" client=").append(session.clientIp())
                .append(" time=").append(ms).append("ms")
                .append(" cause=\"").append(printable(cause)).append('"');
        long left = suppressed.getAndSet(0);
        if (left > 0) {
            b.append(" (").append(left).append(" similar lines left out by the error log's rate limit)");
        }
        written.incrementAndGet();
        sink.accept(b.toString());
    }

    /** Method and target; a head the engine refused may not have them whole ("-" then). */
    private static void appendRequestLine(StringBuilder b, Session session) {
        try {
            if (session.request() != null) {
                String method = session.request().methodName();
                String target = session.request().pathAndQuery();
                b.append(printable(method)).append(' ').append(printable(target));
                return;
            }
        } catch (RuntimeException e) {
            // a partial head: the request line was not parsed
        }
        b.append("- -");
    }

    /** The cause of a {@link ProxyError}, as the log line says it. */
    static String cause(ProxyError e) {
        return e.kind() + ": " + e.getMessage();
    }

    private boolean admit() {
        long now = nanoClock.getAsLong();
        long start = windowStart.get();
        if (now - start >= intervalNanos && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() <= burst) {
            return true;
        }
        suppressed.incrementAndGet();
        suppressedTotal.incrementAndGet();
        return false;
    }

    /** Lines written since start. */
    long written() {
        return written.get();
    }

    /** Lines left out by the cap since start. */
    long suppressed() {
        return suppressedTotal.get();
    }

    /** Client text is quoted into one line: no control characters, no closing quote. */
    private static String printable(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || c == '"' || c == '\\';
            if (bad && out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (out != null) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (bad) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
