package io.pingora4j.server.location;

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

/** A Session over a parsed request head, for filter tests. Not thread-safe. */
final class FakeSession implements Session {

    private final RequestHead request;
    private final InetSocketAddress client = new InetSocketAddress("192.0.2.7", 51000);
    private final InetSocketAddress server = new InetSocketAddress("10.0.0.1", 8080);
    private final Map<String, Object> attributes = new HashMap<>();
    private String scheme = "http";
    private ResponseHead response;

    private FakeSession(RequestHead request) {
        this.request = request;
    }

    /** Parses {@code head} (start line and fields, CRLF-separated; the blank line is added). */
    static FakeSession of(String head) {
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        H1Event e = parser.next(in);
        if (e != H1Event.HEAD) {
            throw new IllegalStateException("not a complete head: " + e);
        }
        parser.head().detach();
        return new FakeSession(parser.head());
    }

    FakeSession scheme(String s) {
        scheme = s;
        return this;
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
        return "192.0.2.7";
    }

    @Override
    public InetSocketAddress serverAddress() {
        return server;
    }

    @Override
    public String scheme() {
        return scheme;
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
        response = head;
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        response = new ResponseHead();
        response.setStatus(status);
    }

    @Override
    public boolean responseStarted() {
        return response != null;
    }

    @Override
    public ResponseHead response() {
        return response;
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

    @Override
    public java.util.concurrent.Executor executor() {
        return Runnable::run;
    }
}
