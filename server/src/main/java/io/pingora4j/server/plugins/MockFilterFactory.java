package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Pingap's {@code mock} plugin: answers requests with a configured response instead of sending
 * them upstream.
 *
 * <pre>
 * [plugins.mockUnavailable]
 * category = "mock"
 * status = 503                                  # default 200
 * headers = ["Content-Type: text/plain", "Retry-After: 60"]
 * data = "down for maintenance"                 # the body; default empty
 * path = "/api/orders"                          # only this exact path; default every path
 * delay = "50ms"                                # wait before answering; default none
 * </pre>
 *
 * The delay does not hold the event loop: the request phase is deferred to a shared timer, and
 * the answer is sent from the session's own loop ({@link Session#executor()}) when it fires, so
 * other sessions run meanwhile.
 *
 * <p>The factory is stateless and thread-safe; so is the filter it makes.
 */
public final class MockFilterFactory implements FilterFactory {

    public static final String CATEGORY = "mock";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        int status = config.integer("status", 200);
        if (status < 200 || status > 599) {
            throw config.invalid("status", "must be 200-599, got " + status);
        }
        List<HeaderLine> headers = HeaderLine.parseList(config, "headers");
        for (int i = 0; i < headers.size(); i++) {
            String n = headers.get(i).name();
            if (n.equalsIgnoreCase("Content-Length") || n.equalsIgnoreCase("Transfer-Encoding")) {
                throw config.invalid("headers[" + i + "]", n + " is set from data; leave it out");
            }
        }
        byte[] body = config.string("data", "").getBytes(StandardCharsets.UTF_8);
        if ((status == 204 || status == 304) && body.length > 0) {
            throw config.invalid("data", "a " + status + " response has no body (RFC 9110 §15.3.5, §15.4.5)");
        }
        String path = config.string("path", "");
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw config.invalid("path", "must start with '/', got \"" + path + "\"");
        }
        Duration delay = config.duration("delay", Duration.ZERO);
        return new MockFilter(status, headers, body, path.isEmpty() ? null : path, delay.toNanos());
    }

    /**
     * The mock filter. Immutable configuration; each request gets its own {@link ResponseHead}
     * (heads are not thread-safe and response phases may edit them). Thread-safe.
     */
    static final class MockFilter implements HttpFilter {
        private final int status;
        private final List<HeaderLine> headers;
        private final byte[] body;
        private final String path;
        private final long delayNanos;

        MockFilter(int status, List<HeaderLine> headers, byte[] body, String path, long delayNanos) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.path = path;
            this.delayNanos = delayNanos;
        }

        @Override
        public Action requestFilter(Session session) {
            if (path != null && !path.equals(session.request().path())) {
                return Action.CONTINUE;
            }
            if (delayNanos > 0) {
                return Action.defer(Delays.after(delayNanos, Action.RESPONDED)
                        .thenApplyAsync(a -> answer(session), session.executor()));
            }
            return answer(session);
        }

        private Action answer(Session session) {
            ResponseHead head = new ResponseHead();
            head.setStatus(status);
            for (HeaderLine h : headers) {
                head.headers().add(h.name(), h.value());
            }
            session.respond(head, body.length == 0 ? null : ByteBuffer.wrap(body));
            return Action.RESPONDED;
        }

        long delayNanos() {
            return delayNanos;
        }
    }
}
