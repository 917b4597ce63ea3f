package io.pingora4j.bench;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.Session;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A {@link Session} for benchmarks of filters: one request parsed once by the real codec, reused
 * for every operation; attributes cleared by {@link #reset}; an answer only counted. Not
 * thread-safe (one per JMH thread).
 */
final class BenchSession implements Session {

    private final RequestHead request;
    private final InetSocketAddress client = new InetSocketAddress("10.1.2.3", 52000);
    private final Map<String, Object> attributes = new HashMap<>();
    int responded;

    BenchSession(String head) {
        String wire = head.replace("\n", "\r\n") + "\r\n\r\n";
        RequestParser parser = new RequestParser();
        if (parser.next(ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1))) != H1Event.HEAD) {
            throw new IllegalArgumentException("not a whole head");
        }
        request = parser.head();
        request.detach();
    }

    void reset() {
        attributes.clear();
    }

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return client;
    }

    @Override
    public String clientIp() {
        return "10.1.2.3";
    }

    @Override
    public InetSocketAddress serverAddress() {
        return client;
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public int requestNumber() {
        return 1;
    }

    @Override
    public long startNanos() {
        return 0;
    }

    @Override
    public Object attribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void respond(ResponseHead head, ByteBuffer body) {
        responded++;
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        responded++;
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }

    @Override
    public boolean responseStarted() {
        return false;
    }

    @Override
    public ResponseHead response() {
        return null;
    }

    @Override
    public HttpPeer peer() {
        return null;
    }

    @Override
    public boolean upstreamReused() {
        return false;
    }

    @Override
    public long responseBodyBytes() {
        return 0;
    }

    @Override
    public long requestBodyBytes() {
        return 0;
    }
}
