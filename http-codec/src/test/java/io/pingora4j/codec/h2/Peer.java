package io.pingora4j.codec.h2;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One end of an in-memory HTTP/2 connection for tests: an {@link H2Connection}, a sink that
 * collects what it sends, and a listener that records what it reports as text lines and keeps
 * bodies per stream. {@link #pump} moves bytes between two peers until neither has anything to
 * say.
 */
final class Peer implements H2FrameSink, H2Listener {

    final H2Connection conn;
    final List<String> events = new ArrayList<>();
    final Map<Integer, ByteArrayOutputStream> bodies = new HashMap<>();
    final Map<Integer, RequestHead> requests = new HashMap<>();
    final Map<Integer, ResponseHead> responses = new HashMap<>();
    final Map<Integer, HeaderBlock> trailers = new HashMap<>();
    final List<Integer> ended = new ArrayList<>();
    /** When false, data is recorded but not reported consumed: the peer's windows stay shut. */
    boolean autoConsume = true;
    long clock;

    private ByteBuffer out = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private int unconsumedTotal;
    private final Map<Integer, Integer> unconsumed = new HashMap<>();
    H2Exception connectionError;

    Peer(H2Connection.Role role, H2Limits limits) {
        conn = new H2Connection(role, limits, this, this);
    }

    static Peer server(H2Limits limits) {
        return new Peer(H2Connection.Role.SERVER, limits);
    }

    static Peer client(H2Limits limits) {
        return new Peer(H2Connection.Role.CLIENT, limits);
    }

    // ------------------------------------------------------------------ sink

    @Override
    public ByteBuffer reserve(int bytes) {
        if (out.remaining() < bytes) {
            flushOut();
            if (out.capacity() < bytes) {
                out = ByteBuffer.allocate(bytes);
            }
        }
        return out;
    }

    @Override
    public void payload(ByteBuffer data) {
        flushOut();
        byte[] b = new byte[data.remaining()];
        data.duplicate().get(b);
        sent.writeBytes(b);
    }

    private void flushOut() {
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        sent.writeBytes(b);
        out.clear();
    }

    /** Everything sent since the last call. */
    byte[] takeSent() {
        flushOut();
        byte[] b = sent.toByteArray();
        sent.reset();
        return b;
    }

    /** Feeds bytes to this peer's connection, in pieces of at most {@code piece} bytes. */
    void receive(byte[] bytes, int piece) {
        for (int i = 0; i < bytes.length; i += piece) {
            int n = Math.min(piece, bytes.length - i);
            ByteBuffer b = ByteBuffer.allocate(n + 8);
            b.position(4);
            b.put(bytes, i, n);
            b.flip().position(4);
            conn.receive(b, clock);
            if (b.hasRemaining()) {
                throw new AssertionError("receive left " + b.remaining() + " bytes");
            }
        }
        conn.outboundDrained();
    }

    /** Moves bytes both ways until both are quiet; returns the number of rounds. */
    static int pump(Peer a, Peer b) {
        return pump(a, b, Integer.MAX_VALUE);
    }

    static int pump(Peer a, Peer b, int piece) {
        int rounds = 0;
        for (;;) {
            byte[] ab = a.takeSent();
            byte[] ba = b.takeSent();
            if (ab.length == 0 && ba.length == 0) {
                return rounds;
            }
            if (++rounds > 100_000) {
                throw new AssertionError("peers never went quiet");
            }
            b.receive(ab, Math.max(1, piece));
            a.receive(ba, Math.max(1, piece));
        }
    }

    /** Reports every byte received and not yet consumed as consumed. */
    void consumeAll() {
        for (Map.Entry<Integer, Integer> e : unconsumed.entrySet()) {
            conn.consumed(e.getKey(), e.getValue());
        }
        unconsumed.clear();
        unconsumedTotal = 0;
    }

    String body(int stream) {
        ByteArrayOutputStream b = bodies.get(stream);
        return b == null ? "" : b.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    int bodyLength(int stream) {
        ByteArrayOutputStream b = bodies.get(stream);
        return b == null ? 0 : b.size();
    }

    // ------------------------------------------------------------------ listener

    @Override
    public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
        RequestHead copy = new RequestHead();
        copy.copyFrom(head);
        requests.put(streamId, copy);
        events.add("request " + streamId + " " + head.method() + " " + head.target() + " end=" + endStream);
        if (endStream) {
            ended.add(streamId);
        }
    }

    @Override
    public void onResponseHeaders(int streamId, ResponseHead head, boolean endStream) {
        ResponseHead copy = new ResponseHead();
        copy.headers().copyFrom(head.headers());
        copy.setStatus(head.status());
        responses.put(streamId, copy);
        events.add("response " + streamId + " " + head.status() + " end=" + endStream);
        if (endStream) {
            ended.add(streamId);
        }
    }

    @Override
    public void onTrailers(int streamId, HeaderBlock t) {
        HeaderBlock copy = new HeaderBlock();
        copy.copyFrom(t);
        trailers.put(streamId, copy);
        events.add("trailers " + streamId + " " + t.size());
        ended.add(streamId);
    }

    @Override
    public void onData(int streamId, ByteBuffer data, boolean endStream) {
        byte[] b = new byte[data.remaining()];
        data.duplicate().get(b);
        bodies.computeIfAbsent(streamId, k -> new ByteArrayOutputStream()).writeBytes(b);
        if (autoConsume) {
            conn.consumed(streamId, b.length);
        } else {
            unconsumed.merge(streamId, b.length, Integer::sum);
            unconsumedTotal += b.length;
        }
        if (endStream) {
            events.add("end " + streamId);
            ended.add(streamId);
        }
    }

    @Override
    public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
        events.add("reset " + streamId + " " + H2ErrorCode.name(errorCode)
                + (cause == null ? " by peer" : " " + cause.error()));
    }

    @Override
    public void onRefusedStream(int streamId, H2Exception cause) {
        events.add("refused " + streamId + " " + cause.error()
                + (cause.h1Error() == null ? "" : " " + cause.h1Error()));
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode) {
        events.add("goaway " + lastStreamId + " " + H2ErrorCode.name(errorCode));
    }

    @Override
    public void onStreamWritable(int streamId) {
        events.add("writable " + streamId);
    }

    @Override
    public void onPingAck(long data) {
        events.add("pong " + data);
    }

    @Override
    public void onConnectionError(H2Exception error) {
        connectionError = error;
        events.add("connection error " + error.error());
    }
}
