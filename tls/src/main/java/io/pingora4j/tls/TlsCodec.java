package io.pingora4j.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * An {@link SSLEngine} driven over ByteBuffers, without I/O: network bytes go in through
 * {@link #networkInput()} (or {@link #feed}), plaintext comes out of {@link #unwrap}; plaintext
 * goes in through {@link #wrap}, records to send come out of {@link #networkOutput()}.
 *
 * <p>Three buffers, sized from the session, carry everything; each is borrowed from the owner's
 * {@link RecordBufferPool} when bytes arrive or are to be sent, and given back by {@link #trim()}
 * once it holds none, so an idle connection holds no buffer (a partial record, or records not yet
 * sent, keep theirs):
 * <ul>
 *   <li>network input, in fill mode: {@code [0, position)} received and not yet decrypted. Partial
 *       records wait in it for their rest; several records read at once are decrypted in turn.</li>
 *   <li>network output, in read mode: {@code [position, limit)} records not yet sent. It holds two
 *       full records, so a writer moves up to 32 KiB of plaintext per socket write.</li>
 *   <li>plaintext staging, in read mode: a record decrypted for a reader whose buffer had less
 *       room than a record; handed out first by the next {@link #unwrap}. A reader with room for a
 *       whole record gets it decrypted straight into its own buffer.</li>
 * </ul>
 *
 * <p>The handshake is driven by {@link #handshake()}, which says what it needs next: network
 * bytes, a flush of the output, or {@link #delegatedTask() delegated tasks} (certificate checks,
 * key agreement) that the caller runs off its event loop before calling {@code handshake()}
 * again. Renegotiation is refused: after the first handshake, a TLS 1.2 peer asking for another
 * (a ClientHello to a server, a HelloRequest to a client) fails the connection, which closes it
 * (CVE-2009-3555 and CVE-2011-1473: renegotiation is an injection and a CPU-exhaustion vector,
 * and HTTP/1.1 through a proxy never needs it). TLS 1.3's post-handshake messages (session
 * tickets, key updates) are answered as they come.
 *
 * <p>Over a native (BoringSSL) engine the buffers are direct, so the engine reads and writes them
 * in place; over the JDK's engine they are heap buffers, which its Java ciphers work on directly.
 * {@link #release()} hands them all back and frees the native engine: the owner calls it once the
 * connection is closed.
 *
 * <p>Any {@link SSLException} is final: the codec keeps it and throws it again on every later
 * call. Whatever alert the engine made for it is left in the network output, for a caller that
 * wants to send it before closing.
 *
 * <p>Not thread-safe: one owner (an event loop). While the caller runs a delegated task on
 * another thread it must leave the codec alone until the task is done.
 */
public final class TlsCodec {

    /** What the handshake needs before it can go on. */
    public enum HandshakeStep {
        /** Bytes from the peer: put them into {@link #networkInput()}, then call again. */
        NEED_INPUT,
        /** Room in the network output: send {@link #networkOutput()}, then call again. */
        NEED_FLUSH,
        /** Run every {@link #delegatedTask()} (off the event loop), then call again. */
        NEED_TASK,
        /** The handshake is complete; the network output may still hold its last flight. */
        DONE
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /**
     * What {@link #networkOutput()} returns while no output buffer is borrowed (and the input after
     * {@link #release()}): shared, which is benign, as a buffer of no bytes has no state but zeros.
     */
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);
    private static final String TLS13 = "TLSv1.3";

    private final SSLEngine engine;
    private final RecordBufferPool pool;
    private final boolean nativeEngine;
    private final long createdMillis = System.currentTimeMillis();
    private final ByteBuffer[] single = new ByteBuffer[1];
    /** Each null while not borrowed. */
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    /** Sizes to borrow: the session's, raised if it asks for larger records. */
    private int packetSize;
    private int inputSize;
    private int appSize;
    private boolean begun;
    private boolean handshakeDone;
    private boolean tls13;
    private boolean closeNotifyReceived;
    private boolean outboundClosed;
    private boolean resumed;
    private boolean probeWrap;
    private boolean released;
    private SSLException failure;

    /**
     * What a codec used after {@link #release()} throws. Every connection's codec is released, so it
     * is one instance without a stack trace (filling one in cost a few microseconds a connection).
     */
    private static final SSLException RELEASED = new SSLException("the TLS connection was released") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    /**
     * A codec for {@code engine}, configured (client or server mode, parameters) and not yet used,
     * with a pool of its own (a client or a test that is not on an event loop).
     */
    public TlsCodec(SSLEngine engine) {
        this(engine, new RecordBufferPool(1));
    }

    /** A codec for {@code engine} borrowing its buffers from {@code pool}, whose owner owns the codec too. */
    public TlsCodec(SSLEngine engine, RecordBufferPool pool) {
        this.engine = engine;
        this.pool = pool;
        this.nativeEngine = NativeEngines.isNative(engine);
        this.appSize = engine.getSession().getApplicationBufferSize();
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.inputSize = packetSize;
    }

    public SSLEngine engine() {
        return engine;
    }

    // ------------------------------------------------------------------ buffers

    /**
     * The network input, in fill mode: put received bytes at its position (a socket read into it
     * does). Borrowed from the pool if the codec held none; it has room whenever the codec needs
     * input. Call {@link #trim()} when a read put nothing into it.
     */
    public ByteBuffer networkInput() {
        if (netIn == null) {
            if (released) {
                return NONE;
            }
            netIn = pool.take(inputSize, nativeEngine);
        }
        return netIn;
    }

    /** Copies what fits of {@code src} into the network input; returns the bytes taken. */
    public int feed(ByteBuffer src) {
        if (!src.hasRemaining()) {
            return 0;
        }
        ByteBuffer in = networkInput();
        int n = Math.min(src.remaining(), in.remaining());
        if (n > 0) {
            in.put(in.position(), src, src.position(), n);
            in.position(in.position() + n);
            src.position(src.position() + n);
        }
        return n;
    }

    /**
     * Records to send, in read mode: write from its position; what is written is gone. Empty (and
     * not a buffer of the pool's) while nothing waits to be sent.
     */
    public ByteBuffer networkOutput() {
        return netOut == null ? NONE : netOut;
    }

    public boolean hasNetworkOutput() {
        return netOut != null && netOut.hasRemaining();
    }

    /** True when a whole record, or decrypted plaintext, waits: {@link #unwrap} will make progress. */
    public boolean hasReadyInput() {
        if (staged()) {
            return true;
        }
        int have = inputHeld();
        if (have < 5) {
            return false;
        }
        int length = ((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff);
        return have >= 5 + length;
    }

    /** True when any byte is held: received and not decrypted, or decrypted and not taken. */
    public boolean hasBufferedInput() {
        return inputHeld() > 0 || staged();
    }

    /**
     * Gives back to the pool each buffer that holds no byte: an input with nothing received, a
     * staging buffer with nothing left to take, an output with everything sent. The owner calls it
     * when the connection may wait (a read drained what arrived, a flush sent everything, a read
     * found nothing); the next read or write borrows again. What is held (a partial record, records
     * not yet sent) stays. Not while a delegated task runs.
     */
    public void trim() {
        if (netIn != null && netIn.position() == 0) {
            pool.give(netIn);
            netIn = null;
        }
        if (appIn != null && !appIn.hasRemaining()) {
            pool.give(appIn);
            appIn = null;
        }
        if (netOut != null && !netOut.hasRemaining()) {
            pool.give(netOut);
            netOut = null;
        }
    }

    /** True while the codec holds a buffer of the pool's (for tests and the owner's accounting). */
    public boolean holdsBuffers() {
        return netIn != null || appIn != null || netOut != null;
    }

    // ------------------------------------------------------------------ handshake

    /**
     * Drives the handshake as far as it goes with the bytes held; starts it on the first call.
     *
     * @throws SSLException if the handshake failed (bad bytes, a certificate refused, the peer's
     *         alert); the connection is unusable
     */
    public HandshakeStep handshake() throws SSLException {
        checkFailed();
        try {
            if (!begun) {
                begun = true;
                engine.beginHandshake();
            }
            while (!handshakeDone) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                switch (hs) {
                    case NEED_TASK:
                        return HandshakeStep.NEED_TASK;
                    case NEED_WRAP:
                        if (!wrapHandshake()) {
                            return HandshakeStep.NEED_FLUSH;
                        }
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!unwrapHandshake()) {
                            if (probeWrap) {
                                // netty's engine moves its handshake on in wrap only: after consuming
                                // a flight (the peer's Finished) it still says NEED_UNWRAP until asked
                                probeWrap = false;
                                if (wrapHandshake()) {
                                    break;
                                }
                                return HandshakeStep.NEED_FLUSH;
                            }
                            return HandshakeStep.NEED_INPUT;
                        }
                        break;
                    default:
                        // FINISHED or NOT_HANDSHAKING: the engine says it is done
                        handshakeFinished();
                        break;
                }
            }
            return HandshakeStep.DONE;
        } catch (SSLException e) {
            throw fail(e);
        } catch (RuntimeException e) {
            throw fail(new SSLException("TLS engine failed: " + e, e));
        }
    }

    /** True once the first handshake completed. */
    public boolean handshakeComplete() {
        return handshakeDone;
    }

    /** A task the engine wants run before the handshake can go on, or null. Safe from any thread. */
    public Runnable delegatedTask() {
        return engine.getDelegatedTask();
    }

    /** Produces one handshake record; false when the output has no room for it. */
    private boolean wrapHandshake() throws SSLException {
        if (!roomForRecord()) {
            return false;
        }
        SSLEngineResult r;
        try {
            r = engine.wrap(EMPTY, outputForWrite());
        } finally {
            netOut.flip();
        }
        switch (r.getStatus()) {
            case OK:
                noteFinished(r);
                return true;
            case BUFFER_OVERFLOW:
                return growOutput();
            case CLOSED:
                if (!handshakeDone && !outboundClosed) {
                    // the engine closed itself mid-handshake: what it sent was an alert
                    throw new SSLHandshakeException("TLS handshake aborted");
                }
                return true;
            default:
                throw new SSLException("unexpected wrap status " + r.getStatus());
        }
    }

    /** Consumes one handshake record; false when a whole record is not buffered yet. */
    private boolean unwrapHandshake() throws SSLException {
        if (inputHeld() == 0) {
            return false;
        }
        SSLEngineResult r = unwrapInto(stagingForWrite());
        appIn.flip();
        switch (r.getStatus()) {
            case OK:
                noteFinished(r);
                if (nativeEngine && r.bytesConsumed() > 0) {
                    probeWrap = true;
                }
                return r.bytesConsumed() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP;
            case BUFFER_UNDERFLOW:
                growInputIfFull();
                return false;
            case BUFFER_OVERFLOW:
                growStaging();
                return true;
            case CLOSED:
                throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
            default:
                throw new SSLException("unexpected unwrap status " + r.getStatus());
        }
    }

    private void noteFinished(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeFinished();
        }
    }

    private void handshakeFinished() {
        handshakeDone = true;
        SSLSession session = engine.getSession();
        tls13 = TLS13.equals(session.getProtocol());
        // The JDK says nothing of resumption; a session made before this connection was is one.
        resumed = nativeEngine ? NativeEngines.resumed(engine) : session.getCreationTime() < createdMillis;
        TlsHandshakes.completed(engine.getUseClientMode(), resumed);
    }

    /** True when the completed handshake resumed an earlier session (a ticket or a session id). */
    public boolean resumed() {
        return resumed;
    }

    // ------------------------------------------------------------------ application data

    /**
     * Decrypts buffered records into {@code dst}: staged plaintext first, then record after record
     * while {@code dst} has room and whole records are held.
     *
     * @return plaintext bytes put into {@code dst}; 0 when a record is incomplete (feed more) or
     *         {@code dst} is full; -1 once the peer's close_notify arrived and every byte before
     *         it was taken
     * @throws SSLException bad records, a renegotiation attempt, or an earlier failure
     */
    public int unwrap(ByteBuffer dst) throws SSLException {
        checkFailed();
        try {
            int total = takeStaged(dst);
            while (dst.hasRemaining() && !staged() && inputHeld() > 0 && !closeNotifyReceived) {
                boolean direct = dst.remaining() >= appSize;
                SSLEngineResult r;
                if (direct) {
                    r = unwrapInto(dst);
                    total += r.bytesProduced();
                } else {
                    r = unwrapInto(stagingForWrite());
                    appIn.flip();
                    total += takeStaged(dst);
                }
                SSLEngineResult.Status status = r.getStatus();
                if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    growInputIfFull();
                    break;
                }
                if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    // the session's plaintext size grew (a large record): stage through a bigger buffer
                    growStaging();
                    continue;
                }
                if (status == SSLEngineResult.Status.CLOSED) {
                    closeNotifyReceived = true;
                    break;
                }
                afterPostHandshakeRecord(r.getHandshakeStatus());
                if (nativeEngine && r.bytesConsumed() > 0 && r.bytesProduced() == 0) {
                    answerInWrap();
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    break;
                }
            }
            if (total == 0 && closeNotifyReceived && !staged()) {
                return -1;
            }
            return total;
        } catch (SSLException e) {
            throw fail(e);
        } catch (RuntimeException e) {
            throw fail(new SSLException("TLS engine failed: " + e, e));
        }
    }

    /**
     * Encrypts plaintext from {@code srcs[offset, offset+length)} into the network output, record
     * after record while the output has room for one.
     *
     * @return plaintext bytes consumed (0 when the output is full: send it first)
     */
    public long wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        checkFailed();
        if (!handshakeDone) {
            throw new IllegalStateException("application data before the TLS handshake completed");
        }
        long consumed = 0;
        ByteBuffer plain = null;
        try {
            while (hasRemaining(srcs, offset, length) && roomForRecord()) {
                SSLEngineResult r;
                boolean gathered = false;
                try {
                    if (gathers(srcs, offset, length)) {
                        if (plain == null) {
                            plain = pool.take(MAX_PLAINTEXT, true);
                        }
                        gather(srcs, offset, length, plain);
                        gathered = true;
                        r = engine.wrap(plain, outputForWrite());
                    } else {
                        r = engine.wrap(srcs, offset, length, outputForWrite());
                    }
                } finally {
                    netOut.flip();
                }
                switch (r.getStatus()) {
                    case OK:
                        if (gathered) {
                            advance(srcs, offset, length, r.bytesConsumed());
                        }
                        consumed += r.bytesConsumed();
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                            return consumed;
                        }
                        break;
                    case BUFFER_OVERFLOW:
                        if (!growOutput()) {
                            return consumed;
                        }
                        break;
                    case CLOSED:
                        throw new SSLException("the TLS connection is closed for writing");
                    default:
                        throw new SSLException("unexpected wrap status " + r.getStatus());
                }
            }
            return consumed;
        } catch (SSLException e) {
            throw fail(e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw fail(new SSLException("TLS engine failed: " + e, e));
        } finally {
            if (plain != null) {
                pool.give(plain);
            }
        }
    }

    /** The most plaintext one TLS record carries. */
    static final int MAX_PLAINTEXT = 16384;

    /**
     * True when the buffers should be copied into one record's plaintext first: BoringSSL's engine
     * makes a record of each buffer of an array (an HTTP/2 frame's 9-byte header would be a record
     * of its own, 22 bytes of overhead and a seal each), where the JDK's fills a record from several.
     * A first buffer that fills a record by itself is encrypted in place.
     */
    private boolean gathers(ByteBuffer[] srcs, int offset, int length) {
        if (!nativeEngine) {
            return false;
        }
        int end = offset + length;
        int first = offset;
        while (first < end && !srcs[first].hasRemaining()) {
            first++;
        }
        return first < end - 1 && srcs[first].remaining() < MAX_PLAINTEXT;
    }

    /** Copies up to a record's plaintext from {@code srcs} into {@code plain} (flipped), leaving {@code srcs} as they are. */
    private static void gather(ByteBuffer[] srcs, int offset, int length, ByteBuffer plain) {
        plain.clear();
        for (int i = offset, end = offset + length; i < end && plain.hasRemaining(); i++) {
            ByteBuffer s = srcs[i];
            int n = Math.min(s.remaining(), plain.remaining());
            plain.put(plain.position(), s, s.position(), n);
            plain.position(plain.position() + n);
        }
        plain.flip();
    }

    /** Marks {@code n} bytes of {@code srcs} taken, buffer after buffer. */
    private static void advance(ByteBuffer[] srcs, int offset, int length, int n) {
        for (int i = offset, end = offset + length; i < end && n > 0; i++) {
            ByteBuffer s = srcs[i];
            int take = Math.min(n, s.remaining());
            s.position(s.position() + take);
            n -= take;
        }
    }

    /** {@link #wrap(ByteBuffer[], int, int)} of one buffer. */
    public long wrap(ByteBuffer src) throws SSLException {
        single[0] = src;
        try {
            return wrap(single, 0, 1);
        } finally {
            single[0] = null;
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Queues close_notify in the network output (once; a no-op after a failure or if already
     * closed). Nothing can be written after it; reading may go on until the peer's arrives.
     */
    public void closeOutbound() {
        if (outboundClosed) {
            return;
        }
        outboundClosed = true;
        if (failure != null) {
            return;
        }
        engine.closeOutbound();
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                if (!roomForRecord() && !growOutput()) {
                    return; // the caller sends what is queued; close_notify is best effort
                }
                try {
                    engine.wrap(EMPTY, outputForWrite());
                } finally {
                    netOut.flip();
                }
            }
        } catch (SSLException | RuntimeException e) {
            // closing a connection the peer may already have dropped: nothing to recover
        }
    }

    /**
     * The peer's connection ended (a socket read saw end of stream). Returns true if it ended
     * cleanly, after close_notify; false if the stream was cut after the handshake (the caller
     * decides whether a truncation matters: a message with a known length still tells).
     *
     * @throws SSLHandshakeException if it ended during the handshake
     */
    public boolean inputEnded() throws SSLException {
        checkFailed();
        if (closeNotifyReceived) {
            return true;
        }
        if (!handshakeDone) {
            throw fail(new SSLHandshakeException("the connection closed during the TLS handshake"));
        }
        return false;
    }

    /** True once close_notify was queued and handed to the network output. */
    public boolean outboundDone() {
        return outboundClosed && engine.isOutboundDone();
    }

    /** True once the peer's close_notify arrived. */
    public boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /**
     * Gives the buffers back and frees a native engine's SSL object; the codec holds nothing after
     * it and reads as empty. Call once the connection is closed (whatever was queued is dropped),
     * from the owning thread. Idempotent.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        giveBack(netIn);
        giveBack(netOut);
        giveBack(appIn);
        netIn = null;
        netOut = null;
        appIn = null;
        if (nativeEngine) {
            NativeEngines.release(engine);
        }
        if (failure == null) {
            failure = RELEASED;
        }
    }

    /** The failure that ended this codec, or null. */
    public SSLException failure() {
        return failure;
    }

    // ------------------------------------------------------------------ internals

    /**
     * A TLS 1.3 post-handshake message (a session ticket, a key update) may ask for an answer; in
     * TLS 1.2 any handshake activity after the first is a renegotiation, refused.
     */
    private void afterPostHandshakeRecord(HandshakeStatus hs) throws SSLException {
        if (hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED) {
            return;
        }
        if (!tls13) {
            throw new SSLHandshakeException("TLS renegotiation refused");
        }
        for (int i = 0; i < 8; i++) {
            hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                // no TLS 1.3 post-handshake message does expensive work: run it here
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null) {
                    t.run();
                }
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (!wrapHandshake()) {
                    return; // the answer goes out with the next wrap, once the output has room
                }
            } else {
                return;
            }
        }
    }

    /**
     * A record without plaintext (a key update, an alert) may have queued an answer inside netty's
     * engine, which hands it out only from wrap: take it into the output now.
     */
    private void answerInWrap() throws SSLException {
        if (!outboundClosed && roomForRecord()) {
            try {
                engine.wrap(EMPTY, outputForWrite());
            } finally {
                netOut.flip();
            }
        }
    }

    private SSLEngineResult unwrapInto(ByteBuffer dst) throws SSLException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, dst);
        } finally {
            netIn.compact();
        }
    }

    /** The staging buffer in fill mode, borrowed if none is held (the caller flips it back). */
    private ByteBuffer stagingForWrite() {
        if (appIn == null) {
            appIn = pool.take(appSize, nativeEngine);
            return appIn;
        }
        return appIn.compact();
    }

    /** The network output in fill mode, borrowed if none is held (the caller flips it back). */
    private ByteBuffer outputForWrite() {
        if (netOut == null) {
            netOut = pool.take(2 * packetSize, nativeEngine);
            return netOut;
        }
        return netOut.compact();
    }

    private boolean staged() {
        return appIn != null && appIn.hasRemaining();
    }

    private int inputHeld() {
        return netIn == null ? 0 : netIn.position();
    }

    private void giveBack(ByteBuffer b) {
        if (b != null) {
            pool.give(b);
        }
    }

    private int takeStaged(ByteBuffer dst) {
        if (appIn == null) {
            return 0;
        }
        int n = Math.min(appIn.remaining(), dst.remaining());
        if (n > 0) {
            dst.put(dst.position(), appIn, appIn.position(), n);
            dst.position(dst.position() + n);
            appIn.position(appIn.position() + n);
        }
        return n;
    }

    private boolean roomForRecord() {
        return netOut == null || netOut.capacity() - netOut.remaining() >= packetSize;
    }

    /** The session wants bigger records than the output holds: grow it, if nothing is pending. */
    private boolean growOutput() {
        int wanted = engine.getSession().getPacketBufferSize();
        if (wanted <= packetSize) {
            return false;
        }
        packetSize = wanted;
        ByteBuffer bigger = pool.take(2 * wanted, nativeEngine);
        if (netOut != null) {
            bigger.put(netOut);
            pool.give(netOut);
        }
        netOut = bigger.flip();
        return true;
    }

    /**
     * A record does not fit in what is held. If the input is full, the record is bigger than the
     * buffer: grow it to the session's packet size (the engine raised it for a large record), or
     * fail if it did not.
     */
    private void growInputIfFull() throws SSLException {
        if (netIn.hasRemaining()) {
            return;
        }
        int wanted = engine.getSession().getPacketBufferSize();
        if (wanted <= netIn.capacity()) {
            throw new SSLException("TLS record larger than " + netIn.capacity() + " bytes");
        }
        inputSize = wanted;
        ByteBuffer bigger = pool.take(wanted, nativeEngine);
        bigger.put(netIn.flip());
        pool.give(netIn);
        netIn = bigger;
    }

    private void growStaging() throws SSLException {
        int wanted = engine.getSession().getApplicationBufferSize();
        if (wanted <= appSize) {
            throw new SSLException("TLS record plaintext larger than " + appSize + " bytes");
        }
        appSize = wanted;
        ByteBuffer bigger = pool.take(wanted, nativeEngine);
        if (appIn != null) {
            bigger.put(appIn);
            pool.give(appIn);
        }
        appIn = bigger.flip();
    }

    private static boolean hasRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void checkFailed() throws SSLException {
        if (failure != null) {
            throw failure;
        }
    }

    /** Records the failure, and leaves whatever alert the engine has for the peer in the output. */
    private SSLException fail(SSLException e) {
        if (failure == null) {
            failure = e;
            try {
                engine.closeOutbound();
                for (int i = 0; i < 2 && !engine.isOutboundDone() && roomForRecord(); i++) {
                    try {
                        engine.wrap(EMPTY, outputForWrite());
                    } finally {
                        netOut.flip();
                    }
                }
            } catch (SSLException | RuntimeException ignored) {
                // the alert is a courtesy; the connection closes either way
            }
            try {
                engine.closeInbound();
            } catch (SSLException ignored) {
                // "inbound closed before close_notify": known, we are failing
            }
        }
        return failure;
    }
}
