package io.pingora4j.engine;

import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.spi.ProxyHttp;
import java.util.ArrayDeque;

/**
 * What an HTTP/1.1 connection needs only while a request is on it: the parser, the session, the
 * output queue and the chunked-coding buffers. A connection takes one from its loop's
 * {@link Pool} when request bytes arrive and gives it back when it goes idle, so an idle
 * keep-alive connection holds none of it (nginx frees its request buffers the same way) and a
 * busy loop allocates nothing per request.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H1Exchange {

    final RequestParser parser;
    final ProxySession session;
    final Outbound out = new Outbound();
    final FramingBuffers framing = new FramingBuffers();

    private H1Exchange(EventLoop loop) {
        this.parser = new RequestParser(loop.options.limits());
        this.session = new ProxySession(loop);
    }

    /** A loop's idle exchanges, at most {@code max} kept; past that they are left to the GC. */
    static final class Pool {
        private final EventLoop loop;
        private final int max;
        private final ArrayDeque<H1Exchange> free = new ArrayDeque<>();
        private long created;

        Pool(EventLoop loop, int max) {
            this.loop = loop;
            this.max = max;
        }

        H1Exchange acquire(Downstream down, ProxyHttp<Object> proxy) {
            H1Exchange x = free.pollFirst();
            if (x == null) {
                x = new H1Exchange(loop);
                created++;
            }
            x.session.bind(down, proxy);
            return x;
        }

        /** Takes back an exchange with nothing queued and no request in progress. */
        void release(H1Exchange x) {
            x.parser.reset();
            x.out.clear();
            if (free.size() < max) {
                free.addFirst(x);
            }
        }

        /** Exchanges ever made: bounded by the loop's peak of requests in progress, not by connections. */
        long created() {
            return created;
        }
    }
}
