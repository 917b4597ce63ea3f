package io.pingora4j.server.plugins;

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

/**
 * The {@link Session} test double of the server's tests: a request parsed from text by the real
 * codec, a recorded answer, and settable facts (addresses, peer, byte counts, start time). Not
 * thread-safe, like a real one.
 */
public final class FakeSession implements Session {

    private final RequestHead request;
    private final Map<String, Object> attributes = new HashMap<>();
    private InetSocketAddress client = new InetSocketAddress("10.1.1.1", 52000);
    private InetSocketAddress server = new InetSocketAddress("127.0.0.1", 6188);
    private String scheme = "http";
    private int requestNumber = 1;
    private long startNanos = System.nanoTime();
    private ResponseHead response;
    private ByteBuffer respondedBody;
    private int respondCalls;
    private HttpPeer peer;
    private boolean upstreamReused;
    private long responseBodyBytes;
    private long requestBodyBytes;
    private String protocol;

    private FakeSession(RequestHead request) {
        this.request = request;
    }

    /** Parses a request head written with '\n' line ends (turned into CRLF); the blank line is added. */
    public static FakeSession parse(String head) {
        String wire = head.replace("\r\n", "\n").replace("\n", "\r\n");
        if (!wire.endsWith("\r\n")) {
            wire += "\r\n";
        }
        wire += "\r\n";
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1));
        H1Event e = parser.next(in);
        if (e != H1Event.HEAD) {
            throw new IllegalArgumentException("not a complete head: " + e);
        }
        RequestHead req = parser.head();
        req.detach();
        return new FakeSession(req);
    }

    /** GET {@code target} with a Host field. */
    public static FakeSession get(String target) {
        return parse("GET " + target + " HTTP/1.1\nHost: example.com\n");
    }

    public FakeSession client(String ip, int port) {
        this.client = new InetSocketAddress(ip, port);
        return this;
    }

    /** The address the client connected to (our listener). */
    public FakeSession server(String ip, int port) {
        this.server = new InetSocketAddress(ip, port);
        return this;
    }

    public FakeSession scheme(String s) {
        this.scheme = s;
        return this;
    }

    public FakeSession requestNumber(int n) {
        this.requestNumber = n;
        return this;
    }

    public FakeSession startNanos(long n) {
        this.startNanos = n;
        return this;
    }

    public FakeSession peer(HttpPeer p, boolean reused) {
        this.peer = p;
        this.upstreamReused = reused;
        return this;
    }

    public FakeSession bytes(long requestBody, long responseBody) {
        this.requestBodyBytes = requestBody;
        this.responseBodyBytes = responseBody;
        return this;
    }

    /** Sets the response as if the engine had sent it (for the access log and response filters). */
    public FakeSession response(ResponseHead head) {
        this.response = head;
        return this;
    }

    /** The body passed to respond, as text; null if none. */
    public String respondedBody() {
        if (respondedBody == null) {
            return null;
        }
        ByteBuffer b = respondedBody.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public int respondCalls() {
        return respondCalls;
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
        return client.getAddress().getHostAddress();
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
        return requestNumber;
    }

    @Override
    public long startNanos() {
        return startNanos;
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
        if (response != null) {
            throw new IllegalStateException("a response was already started");
        }
        respondCalls++;
        response = head;
        respondedBody = body;
        head.setContentLength(body == null ? 0 : body.remaining());
    }

    @Override
    public void respond(int status, String contentType, byte[] body) {
        ResponseHead head = new ResponseHead();
        head.setStatus(status);
        if (contentType != null) {
            head.headers().set("Content-Type", contentType);
        }
        respond(head, body == null ? null : ByteBuffer.wrap(body));
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
        return peer;
    }

    @Override
    public boolean upstreamReused() {
        return upstreamReused;
    }

    @Override
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    @Override
    public long requestBodyBytes() {
        return requestBodyBytes;
    }

    private java.util.concurrent.Executor executor = Runnable::run;

    /** Runs the session's loop tasks with {@code e} (by default, at once on the calling thread). */
    public FakeSession withExecutor(java.util.concurrent.Executor e) {
        this.executor = e;
        return this;
    }

    @Override
    public java.util.concurrent.Executor executor() {
        return executor;
    }

    /** As if the request came on an HTTP/2 stream ({@code "HTTP/2.0"}), say. */
    public FakeSession protocol(String p) {
        this.protocol = p;
        return this;
    }

    @Override
    public String protocol() {
        return protocol != null ? protocol : Session.super.protocol();
    }

    private String grpcService;
    private String grpcMethod;

    /** As if the request were a gRPC call of {@code service}/{@code method} (its path is the caller's). */
    public FakeSession grpc(String service, String method) {
        this.grpcService = service;
        this.grpcMethod = method;
        return this;
    }

    @Override
    public boolean grpc() {
        return grpcService != null;
    }

    @Override
    public String grpcService() {
        return grpcService;
    }

    @Override
    public String grpcMethod() {
        return grpcMethod;
    }
}
