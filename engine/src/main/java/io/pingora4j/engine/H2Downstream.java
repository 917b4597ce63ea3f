package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2Connection;
import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.codec.h2.H2FrameSink;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.codec.h2.H2Listener;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection speaking HTTP/2 (after ALPN "h2", or the h2c preface on a plain listener):
 * the codec's {@link H2Connection} over the socket, and one {@link H2RequestStream} (with its
 * {@link ProxySession}) per request stream, each running the same phases as an HTTP/1.1 request.
 *
 * <p>Frames go out through a bounded {@link H2Output} chain, flushed once per loop turn (all the
 * streams that wrote in that turn share one gathering write). When the client does not read,
 * the chain fills, the streams hold their bytes and their origins stop being read; control
 * frames the client provokes while not reading are capped by the codec (flood CVEs), and a chain
 * past its cap ends the connection.
 *
 * <p>Timeouts: the keep-alive timeout while no stream is open (then GOAWAY and close), the write
 * timeout while output waits, the SETTINGS acknowledgement timeout, and a read timeout while a
 * stream waits for request bytes that do not come.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class H2Downstream implements ClientConnection, IoHandler, Deadline.Owner, H2Listener, H2FrameSink {

    private static final Logger LOG = LoggerFactory.getLogger(H2Downstream.class);
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Response DATA may fill this many pool buffers of output before streams wait for the client. */
    private static final int OUTPUT_BUFFERS = 4;
    /** Stream objects (each with its session) kept for reuse. */
    private static final int POOLED_STREAMS = 32;

    final EventLoop loop;
    final Transport transport;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    final H2Connection h2;
    final H2Output output;
    private final ProxyHttp<Object> proxy;
    private final InputBuffer input;
    private final Deadline deadline;
    private final Int2ObjectHashMap<H2RequestStream> streams = new Int2ObjectHashMap<>();
    private final ArrayList<H2RequestStream> active = new ArrayList<>();
    private final ArrayDeque<H2RequestStream> free = new ArrayDeque<>();
    private final ResponseHead continueHead = new ResponseHead();
    private final Runnable flushTask = this::flushNow;
    SelectionKey key;
    private int interest = SelectionKey.OP_READ;
    private boolean flushQueued;
    private boolean closing;
    /** Our last frames went out; the client's bytes are read and dropped until it closes ({@link Lingering}). */
    private boolean lingering;
    private long lingerDeadline;
    private boolean closed;
    private boolean draining;
    private int streamsOpened;
    private long idleDeadline;
    private long writeDeadline;
    private long settingsDeadline;
    private long readDeadline;
    private String clientIp;

    /**
     * @param input bytes already read (the h2c preface a plain listener saw), taken over; or null
     */
    H2Downstream(EventLoop loop, Transport transport, SelectionKey key, InetSocketAddress remote,
                 InetSocketAddress local, ProxyHttp<Object> proxy, H2Limits limits, InputBuffer input) {
        this.loop = loop;
        this.transport = transport;
        this.key = key;
        this.remote = remote;
        this.local = local;
        this.proxy = proxy;
        this.input = input != null ? input : new InputBuffer(loop.buffers, limits.maxFrameSize() + 9);
        this.output = new H2Output(loop.buffers, OUTPUT_BUFFERS);
        this.deadline = new Deadline(loop.timers, this);
        this.h2 = new H2Connection(H2Connection.Role.SERVER, limits, this, this);
        continueHead.setStatus(100);
    }

    /** Takes over the socket: our SETTINGS go out, and whatever was read already is processed. */
    void start() {
        key.attach(this);
        interest = SelectionKey.OP_READ;
        key.interestOps(interest); // whatever the TLS handshake left there
        loop.stats.h2Connections++;
        h2.start();
        settingsDeadline = loop.now + h2.limits().settingsTimeoutMillis() * 1_000_000L;
        idleDeadline = loop.now + loop.options.keepAliveTimeout().toNanos();
        deadline.want(Math.min(settingsDeadline, idleDeadline));
        if (input.bytes() != null && input.bytes().hasRemaining()) {
            receive();
        }
        if (!closed) {
            flushNow();
            transport.readResumed(); // TLS may hold decrypted bytes that came with the handshake
        }
    }

    String clientIp() {
        if (clientIp == null) {
            clientIp = remote.getAddress().getHostAddress();
        }
        return clientIp;
    }

    boolean draining() {
        return draining;
    }

    ResponseHead continueHead() {
        return continueHead;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public void onReadable() {
        if (closed) {
            return;
        }
        if (lingering) {
            if (Lingering.discard(input, transport)) {
                close();
            }
            return;
        }
        int n;
        try {
            n = input.read(transport);
        } catch (IOException e) {
            connectionLost("client connection lost: " + e.getMessage());
            return;
        }
        if (n < 0) {
            connectionLost("client closed the connection");
            return;
        }
        if (n > 0) {
            receive();
        }
    }

    private void receive() {
        ByteBuffer in = input.bytes();
        try {
            h2.receive(in, loop.now);
        } catch (RuntimeException e) {
            // a filter's exception is the session's business; anything reaching here is ours
            LOG.warn("HTTP/2 connection from {} failed", remote, e);
            h2.goAway(H2ErrorCode.INTERNAL_ERROR);
            closeAfterFlush();
        }
        if (closed) {
            return;
        }
        if (readDeadline != 0) {
            readDeadline = loop.now + loop.options.headerReadTimeout().toNanos(); // bytes came: push it back
        }
        input.releaseIfEmpty();
        if (output.overCap()) {
            // the client provokes frames it does not read (a flood the codec's caps did not catch)
            h2.goAway(H2ErrorCode.ENHANCE_YOUR_CALM);
            closeAfterFlush();
        }
        flushNow();
    }

    // ------------------------------------------------------------------ H2Listener

    @Override
    public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
        loop.stats.requests++;
        loop.stats.h2Streams++;
        H2RequestStream s = free.pollFirst();
        if (s == null) {
            s = new H2RequestStream(this, proxy);
        }
        streams.put(streamId, s);
        active.add(s);
        idleDeadline = 0;
        if (!endStream) {
            armReadTimeout();
        }
        s.open(streamId, ++streamsOpened, head, endStream);
    }

    @Override
    public void onData(int streamId, ByteBuffer data, boolean endStream) {
        H2RequestStream s = streams.get(streamId);
        if (s != null) {
            s.onData(data, endStream);
        } else {
            h2.consumed(streamId, data.remaining()); // a stream we already answered: drop, keep the window open
        }
    }

    @Override
    public void onTrailers(int streamId, HeaderBlock trailers) {
        H2RequestStream s = streams.get(streamId);
        if (s != null) {
            s.onTrailers(trailers);
        }
    }

    @Override
    public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
        H2RequestStream s = streams.get(streamId);
        if (s != null) {
            s.reset(cause == null ? "client reset the stream (" + H2ErrorCode.name(errorCode) + ")"
                    : "stream reset: " + cause.getMessage());
        }
    }

    @Override
    public void onRefusedStream(int streamId, H2Exception cause) {
        loop.stats.h2StreamsRefused++;
        if (LOG.isDebugEnabled()) {
            LOG.debug("stream {} from {} refused: {}", streamId, remote, cause.getMessage());
        }
    }

    @Override
    public void onStreamWritable(int streamId) {
        H2RequestStream s = streams.get(streamId);
        if (s != null) {
            s.writable();
        }
    }

    @Override
    public void onSettings() {
        pumpHeldStreams(); // a larger initial window opens every stream
    }

    @Override
    public void onConnectionError(H2Exception error) {
        loop.stats.goAway(error.error().code());
        if (LOG.isDebugEnabled()) {
            LOG.debug("HTTP/2 connection from {} ended: {}", remote, error.getMessage());
        }
        closeAfterFlush();
    }

    // ------------------------------------------------------------------ H2FrameSink

    @Override
    public ByteBuffer reserve(int bytes) {
        return output.room(bytes);
    }

    @Override
    public void payload(ByteBuffer data) {
        output.put(data);
    }

    // ------------------------------------------------------------------ writing

    /** One write per loop turn for everything the streams queued in it. */
    void scheduleFlush() {
        if (!flushQueued && !closed) {
            flushQueued = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushQueued = false;
        if (closed) {
            return;
        }
        boolean done;
        try {
            done = output.flush(transport);
        } catch (IOException e) {
            connectionLost("client connection lost: " + e.getMessage());
            return;
        }
        if (done) {
            writeDeadline = 0;
            setInterest(interest & ~SelectionKey.OP_WRITE);
            h2.outboundDrained();
            if (closing) {
                linger();
                return;
            }
        } else {
            if (writeDeadline == 0) {
                writeDeadline = loop.now + loop.options.writeTimeout().toNanos();
                deadline.want(writeDeadline);
            }
            setInterest(interest | SelectionKey.OP_WRITE);
        }
        pumpHeldStreams();
    }

    @Override
    public void onWritable() {
        flushNow();
    }

    /** Streams holding body bytes try again: the output has room, or windows opened. */
    private void pumpHeldStreams() {
        if (output.dataRoom() <= 0) {
            return;
        }
        for (int i = 0; i < active.size(); i++) {
            H2RequestStream s = active.get(i);
            if (s.pending()) {
                s.writable();
            }
        }
    }

    private void setInterest(int ops) {
        if (ops != interest && key != null && key.isValid()) {
            boolean readOn = (ops & ~interest & SelectionKey.OP_READ) != 0;
            interest = ops;
            key.interestOps(ops);
            if (readOn) {
                transport.readResumed();
            }
        }
    }

    // ------------------------------------------------------------------ streams

    /** A stream's request is over: forget it, keep its object for the next stream. */
    void streamDone(H2RequestStream s) {
        if (streams.get(s.id) == s) {
            streams.remove(s.id);
        }
        int i = active.indexOf(s);
        if (i < 0) {
            return;
        }
        int last = active.size() - 1;
        active.set(i, active.get(last));
        active.remove(last);
        if (free.size() < POOLED_STREAMS) {
            free.addFirst(s);
        }
        if (active.isEmpty()) {
            readDeadline = 0;
            if (draining && h2.canClose()) {
                closeAfterFlush();
            } else {
                idleDeadline = loop.now + loop.options.keepAliveTimeout().toNanos();
                deadline.want(idleDeadline);
            }
        }
    }

    private void armReadTimeout() {
        if (readDeadline == 0) {
            readDeadline = loop.now + loop.options.headerReadTimeout().toNanos();
            deadline.want(readDeadline);
        }
    }

    // ------------------------------------------------------------------ deadlines

    @Override
    public long currentDeadline() {
        long d = earliest(idleDeadline, writeDeadline);
        if (lingering) {
            return lingerDeadline;
        }
        d = earliest(d, h2.awaitingSettingsAck() ? settingsDeadline : 0);
        return earliest(d, readDeadline);
    }

    private static long earliest(long a, long b) {
        if (a == 0) {
            return b;
        }
        return b == 0 || a - b <= 0 ? a : b;
    }

    @Override
    public void onDeadline(long now) {
        if (lingering) {
            if (now - lingerDeadline >= 0) {
                close();
            }
            return;
        }
        if (writeDeadline != 0 && now - writeDeadline >= 0) {
            connectionLost("client did not read the response in time");
            return;
        }
        if (h2.awaitingSettingsAck() && settingsDeadline != 0 && now - settingsDeadline >= 0) {
            h2.settingsTimeout(); // GOAWAY SETTINGS_TIMEOUT, reported as a connection error
            flushNow();
            return;
        }
        if (readDeadline != 0 && now - readDeadline >= 0) {
            // no byte for a while, and streams wait for their request bodies (slowloris on h2)
            readDeadline = 0;
            for (H2RequestStream s : new ArrayList<>(active)) {
                if (s.awaitingRequestBytes()) {
                    s.requestFailed(ProxyError.of(ProxyError.Source.DOWNSTREAM, ProxyError.Kind.READ_TIMEOUT, 408,
                            "request body not received in time"));
                }
            }
            scheduleFlush();
        }
        if (idleDeadline != 0 && now - idleDeadline >= 0 && active.isEmpty()) {
            h2.goAway(H2ErrorCode.NO_ERROR);
            closeAfterFlush();
        }
    }

    // ------------------------------------------------------------------ the end

    /** Graceful shutdown: GOAWAY (twice, RFC 9113 §6.8); open streams finish, then close. */
    @Override
    public ProxyHttp<Object> proxy() {
        return proxy;
    }

    @Override
    public void drain() {
        if (closed || draining) {
            return;
        }
        draining = true;
        h2.shutdownGracefully();
        if (active.isEmpty() && h2.canClose()) {
            closeAfterFlush();
        } else {
            flushNow();
        }
    }

    @Override
    public void shutdownNow() {
        connectionLost("server shutting down");
    }

    private void connectionLost(String why) {
        for (H2RequestStream s : new ArrayList<>(active)) {
            s.reset(why);
        }
        close();
    }

    /** The GOAWAY went out: half-close, and drop what the client still sends until it closes. */
    private void linger() {
        if (lingering) {
            return;
        }
        for (H2RequestStream s : new ArrayList<>(active)) {
            s.reset("connection closed");
        }
        if (!Lingering.start(transport)) {
            close();
            return;
        }
        lingering = true;
        writeDeadline = 0;
        idleDeadline = 0;
        readDeadline = 0;
        lingerDeadline = loop.now + Lingering.TIMEOUT_NANOS;
        deadline.want(lingerDeadline);
        setInterest(SelectionKey.OP_READ);
        if (Lingering.discard(input, transport)) {
            close();
        }
    }

    private void closeAfterFlush() {
        if (closed) {
            return;
        }
        closing = true;
        flushNow();
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (H2RequestStream s : new ArrayList<>(active)) {
            s.reset("connection closed");
        }
        deadline.cancel();
        output.clear();
        if (key != null) {
            key.cancel();
        }
        transport.close();
        input.release();
        loop.connectionClosed(this);
    }
}
