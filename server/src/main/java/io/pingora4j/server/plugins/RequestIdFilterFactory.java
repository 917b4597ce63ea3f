package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pingap's {@code request_id} plugin: every request gets an id. An id the client (or a proxy in
 * front) sent in the header is kept; otherwise one is generated. The id is set on the request sent
 * upstream and on the response to the client, and stored as the session attribute
 * {@value #ATTRIBUTE} for the access log's {@code {request_id}}.
 *
 * <pre>
 * [plugins.reqId]
 * category = "request_id"
 * algorithm = "nanoid"          # uuid_v7 (default), uuid (v4), or nanoid
 * size = 12                     # nanoid length, default 8
 * header_name = "X-Trace-Id"    # default X-Request-Id
 * </pre>
 *
 * Ids are for correlation, not secrets: they come from {@link ThreadLocalRandom}, which never
 * blocks an event loop.
 *
 * <p>The factory is stateless and thread-safe; so is the filter it makes.
 */
public final class RequestIdFilterFactory implements FilterFactory {

    public static final String CATEGORY = "request_id";
    /** The session attribute the id is stored under. */
    public static final String ATTRIBUTE = "request_id";
    public static final String DEFAULT_HEADER = "X-Request-Id";
    /** Longest incoming id kept; a longer one is replaced (it would bloat every log line). */
    public static final int MAX_INCOMING_LENGTH = 200;

    /** How ids are made. */
    enum Algorithm { UUID_V4, UUID_V7, NANOID }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String algo = config.string("algorithm", "uuid_v7").trim().toLowerCase(java.util.Locale.ROOT);
        Algorithm algorithm;
        switch (algo) {
            case "uuid":
            case "uuid_v4":
                algorithm = Algorithm.UUID_V4;
                break;
            case "uuid_v7":
                algorithm = Algorithm.UUID_V7;
                break;
            case "nanoid":
                algorithm = Algorithm.NANOID;
                break;
            default:
                throw config.invalid("algorithm", "expected uuid_v7, uuid or nanoid, got \"" + algo + "\"");
        }
        int size = config.integer("size", 8);
        if (size < 1 || size > 64) {
            throw config.invalid("size", "must be 1-64, got " + size);
        }
        String header = config.string("header_name", DEFAULT_HEADER).trim();
        HeaderLine.checkField(config, "header_name", header, "x");
        return new RequestIdFilter(algorithm, size, header);
    }

    /** Immutable; thread-safe. Per-request state is the session attribute. */
    static final class RequestIdFilter implements HttpFilter {
        private static final char[] NANOID_ALPHABET =
                "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
        private static final char[] HEX = "0123456789abcdef".toCharArray();

        private final Algorithm algorithm;
        private final int size;
        private final String header;

        RequestIdFilter(Algorithm algorithm, int size, String header) {
            this.algorithm = algorithm;
            this.size = size;
            this.header = header;
        }

        @Override
        public void earlyRequestFilter(Session session) {
            ensureId(session);
        }

        @Override
        public Action requestFilter(Session session) {
            ensureId(session); // idempotent: the engine may call only this one for location filters
            return Action.CONTINUE;
        }

        @Override
        public void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
            String id = ensureId(session);
            upstreamRequest.headers().set(header, id);
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            Object id = session.attribute(ATTRIBUTE);
            if (id != null) {
                response.headers().set(header, id.toString());
            }
        }

        /** The request's id: the one already chosen, the client's, or a new one (also set on the request). */
        String ensureId(Session session) {
            Object known = session.attribute(ATTRIBUTE);
            if (known != null) {
                return known.toString();
            }
            RequestHead req = session.request();
            String id = req.headers().get(header);
            if (id == null || id.isEmpty() || id.length() > MAX_INCOMING_LENGTH) {
                id = generate();
                req.headers().set(header, id);
            }
            session.setAttribute(ATTRIBUTE, id);
            return id;
        }

        String generate() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            switch (algorithm) {
                case NANOID: {
                    char[] c = new char[size];
                    for (int i = 0; i < size; i++) {
                        c[i] = NANOID_ALPHABET[r.nextInt(64)];
                    }
                    return new String(c);
                }
                case UUID_V7: {
                    // RFC 9562 §5.7: 48-bit Unix ms, version 7, 12 random bits, variant 10, 62 random bits
                    long ms = System.currentTimeMillis();
                    long hi = (ms << 16) | 0x7000L | (r.nextLong() & 0x0fffL);
                    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
                    return uuid(hi, lo);
                }
                default: {
                    // RFC 9562 §5.4: random, version 4, variant 10
                    long hi = (r.nextLong() & ~0xf000L) | 0x4000L;
                    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
                    return uuid(hi, lo);
                }
            }
        }

        private static String uuid(long hi, long lo) {
            char[] c = new char[36];
            int p = 0;
            for (int nibble = 15; nibble >= 0; nibble--) {
                if (nibble == 7 || nibble == 3) {
                    c[p++] = '-';
                }
                c[p++] = HEX[(int) (hi >>> (nibble * 4)) & 0xf];
            }
            for (int nibble = 15; nibble >= 0; nibble--) {
                if (nibble == 15 || nibble == 11) {
                    c[p++] = '-';
                }
                c[p++] = HEX[(int) (lo >>> (nibble * 4)) & 0xf];
            }
            return new String(c);
        }
    }
}
