package io.pingora4j.engine;

import io.pingora4j.spi.TlsInfo;
import io.pingora4j.tls.TlsCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a socket, inside the event loop: a {@link TlsCodec} fed from and drained into the
 * channel.
 *
 * <p>During the handshake the transport owns the selection key (it is the key's handler): it
 * reads, writes and sets the interest ops the handshake needs — OP_WRITE when a flight does not
 * fit the socket, OP_READ when the peer must speak, nothing while a delegated task (certificate
 * checks, key agreement) runs on the server's TLS executor, after which the handshake resumes on
 * this loop. A timer ends a handshake that takes too long. When it completes, the key goes to the
 * connection ({@link HandshakeListener#tlsReady}), which finds any plaintext that came with the
 * last handshake record waiting for it.
 *
 * <p>After the handshake the connection reads and writes plaintext through {@link Transport}. TLS
 * decrypts whole records, so a read may leave input the socket will not signal again: the
 * transport then re-dispatches a read on the loop itself (a preallocated task, queued once), as
 * long as the connection wants to read.
 *
 * <p>The codec's record buffers are the loop's ({@link EventLoop#recordBuffers}), borrowed while
 * bytes are in flight: whenever the transport may wait (a read took what arrived, a flush sent
 * everything, the handshake waits for the peer or a task) it trims the codec, so an idle TLS
 * connection holds no buffer.
 *
 * <p>Not thread-safe: owned by one event loop. A delegated task runs on another thread while the
 * loop leaves the codec alone (the interest ops are cleared, and nothing else calls in).
 */
final class TlsTransport implements Transport, IoHandler, Deadline.Owner {

    /** The connection waiting for the handshake. */
    interface HandshakeListener {
        /** The handshake completed: the key is the connection's now (attach it, set its ops). */
        void tlsReady();

        /** The handshake failed or timed out; the connection closes (and the transport with it). */
        void tlsFailed(IOException cause, boolean timedOut);
    }

    /** Records read and handled without producing plaintext (tickets, key updates) before giving up for now. */
    private static final int MAX_EMPTY_READS = 16;

    private final EventLoop loop;
    private final SocketChannel channel;
    private final TlsCodec codec;
    private final Deadline deadline;
    private final Runnable readAgain = this::readAgain;
    private final Runnable afterTasks = this::afterTasks;
    private SelectionKey key;
    private HandshakeListener listener;
    private long handshakeDeadline;
    private long handshakeStart;
    /** How long the handshake took (nanoseconds), once done; 0 before. */
    long handshakeNanos;
    private boolean handshaking;
    private boolean taskRunning;
    private boolean readAgainQueued;
    private boolean eof;
    private boolean closed;
    private TlsInfo info;
    private ByteBuffer probe;

    TlsTransport(EventLoop loop, SocketChannel channel, SSLEngine engine) {
        this.loop = loop;
        this.channel = channel;
        this.codec = new TlsCodec(engine, loop.recordBuffers);
        this.deadline = new Deadline(loop.timers, this);
    }

    // ------------------------------------------------------------------ handshake

    /** Takes over {@code key} and runs the handshake; {@code l} hears how it ends. */
    void startHandshake(SelectionKey key, HandshakeListener l) {
        this.key = key;
        this.listener = l;
        key.attach(this);
        handshaking = true;
        handshakeStart = System.nanoTime();
        handshakeDeadline = loop.now + loop.options.tlsHandshakeTimeout().toNanos();
        deadline.want(handshakeDeadline);
        step();
    }

    @Override
    public void onReadable() {
        if (handshaking && !taskRunning) {
            step();
        }
    }

    @Override
    public void onWritable() {
        if (handshaking && !taskRunning) {
            step();
        }
    }

    /** Runs the handshake until it must wait (for the peer, the socket, or a task) or is done. */
    private void step() {
        try {
            while (true) {
                switch (codec.handshake()) {
                    case DONE:
                        // our last flight goes out before the connection takes over: in TLS 1.2 the
                        // server's Finished is what the client waits for before it sends a request
                        if (!flushNetwork()) {
                            setOps(SelectionKey.OP_WRITE);
                            return;
                        }
                        handshakeDone();
                        return;
                    case NEED_FLUSH:
                        if (!flushNetwork()) {
                            setOps(SelectionKey.OP_WRITE);
                            return;
                        }
                        break;
                    case NEED_TASK:
                        flushNetwork();
                        codec.trim();
                        runTasks();
                        return;
                    case NEED_INPUT: {
                        boolean flushed = flushNetwork();
                        int n = channel.read(codec.networkInput());
                        if (n < 0) {
                            codec.inputEnded(); // throws: the peer left mid-handshake
                            return;
                        }
                        if (n == 0) {
                            codec.trim();
                            setOps(SelectionKey.OP_READ | (flushed ? 0 : SelectionKey.OP_WRITE));
                            return;
                        }
                        break;
                    }
                    default:
                        throw new IllegalStateException("unknown handshake step");
                }
            }
        } catch (IOException e) {
            handshakeFailed(e, false);
        } catch (RuntimeException e) {
            handshakeFailed(new SSLException("TLS handshake failed: " + e, e), false);
        }
    }

    /** Hands every delegated task to the TLS executor; the handshake resumes on this loop after. */
    private void runTasks() {
        setOps(0);
        taskRunning = true;
        Executor executor = loop.server.tlsTasks();
        try {
            executor.execute(() -> {
                try {
                    Runnable t;
                    while ((t = codec.delegatedTask()) != null) {
                        t.run();
                    }
                } finally {
                    loop.execute(afterTasks);
                }
            });
        } catch (RejectedExecutionException e) {
            taskRunning = false;
            handshakeFailed(new SSLException("server shutting down"), false);
        }
    }

    private void afterTasks() {
        taskRunning = false;
        if (closed) {
            codec.release(); // closed while the task ran: the task thread is done with the engine now
            return;
        }
        if (handshaking && !closed) {
            step();
        }
    }

    private void handshakeDone() {
        handshaking = false;
        deadline.cancel();
        info = describe(codec.engine());
        handshakeNanos = Math.max(1, System.nanoTime() - handshakeStart);
        if (!codec.engine().getUseClientMode()) {
            loop.stats.tlsHandshake(handshakeNanos);
        }
        listener.tlsReady();
        // plaintext that came with the last handshake record: the socket will not signal it
        readResumed();
    }

    private void handshakeFailed(IOException e, boolean timedOut) {
        if (!handshaking) {
            return;
        }
        handshaking = false;
        deadline.cancel();
        try {
            flushNetwork(); // the alert, if the engine made one
        } catch (IOException ignored) {
            // the peer is gone already
        }
        listener.tlsFailed(e, timedOut);
    }

    private void setOps(int ops) {
        if (key.isValid()) {
            key.interestOps(ops);
        }
    }

    @Override
    public long currentDeadline() {
        return handshaking ? handshakeDeadline : 0;
    }

    @Override
    public void onDeadline(long nowNanos) {
        handshakeFailed(new SSLException("TLS handshake timed out"), true);
    }

    private static TlsInfo describe(SSLEngine engine) {
        SSLSession s = engine.getSession();
        String alpn = engine.getApplicationProtocol();
        String sni = null;
        if (!engine.getUseClientMode() && s instanceof ExtendedSSLSession ext) {
            for (SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    sni = h.getAsciiName();
                    break;
                }
            }
        }
        String subject = null;
        // asked only where a certificate can be: the answer "none" is an exception, made per connection
        if (engine.getUseClientMode() || engine.getNeedClientAuth() || engine.getWantClientAuth()) {
            try {
                Certificate[] peer = s.getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                    subject = x.getSubjectX500Principal().getName();
                }
            } catch (SSLPeerUnverifiedException notPresented) {
                // no client certificate: not mTLS
            }
        }
        return new TlsInfo(s.getProtocol(), s.getCipherSuite(), alpn == null || alpn.isEmpty() ? null : alpn, sni,
                subject);
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n = codec.unwrap(dst);
        for (int i = 0; n == 0 && !eof && i < MAX_EMPTY_READS; i++) {
            // a partial record (or records with no plaintext): the socket may hold the rest
            int r = channel.read(codec.networkInput());
            if (r < 0) {
                eof = true;
                codec.inputEnded(); // throws only mid-handshake; a cut after it reads as an end
                break;
            }
            if (r == 0) {
                break;
            }
            n = codec.unwrap(dst);
        }
        if (codec.hasNetworkOutput()) {
            flushNetwork(); // an answer to a post-handshake message; the next write sends the rest
        }
        codec.trim();
        if (n == 0 && eof) {
            return -1;
        }
        if (n > 0 && codec.hasReadyInput()) {
            scheduleReadAgain();
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!flushNetwork()) {
            return 0;
        }
        long taken = 0;
        while (true) {
            long n = codec.wrap(srcs, offset, length);
            taken += n;
            if (!flushNetwork() || n == 0) {
                return taken; // what was taken and not sent is reported by flush()
            }
        }
    }

    @Override
    public boolean flush() throws IOException {
        return flushNetwork();
    }

    /** Sends what the codec holds; true when all of it went (the output is then given back). */
    private boolean flushNetwork() throws IOException {
        ByteBuffer out = codec.networkOutput();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                return false;
            }
        }
        codec.trim();
        return true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        codec.closeOutbound();
        flushNetwork();
        channel.shutdownOutput();
    }

    /** Sends close_notify if the socket takes it now, then closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        handshaking = false;
        deadline.cancel();
        try {
            if (codec.handshakeComplete() && codec.failure() == null) {
                codec.closeOutbound();
                flushNetwork();
            }
        } catch (IOException | RuntimeException ignored) {
            // close_notify is a courtesy to a peer that may be gone
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        if (!taskRunning) {
            codec.release(); // a native engine's SSL object and the record buffers, now
        }
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public boolean hasBufferedInput() {
        return codec.hasBufferedInput();
    }

    @Override
    public void readResumed() {
        if (codec.hasReadyInput()) {
            scheduleReadAgain();
        }
    }

    @Override
    public boolean idleReadable() {
        if (probe == null) {
            probe = ByteBuffer.allocate(1);
        }
        probe.clear();
        try {
            // a session ticket or a key update is consumed; plaintext or an end means drop it
            return read(probe) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public TlsInfo tlsInfo() {
        return info;
    }

    private void scheduleReadAgain() {
        if (!readAgainQueued && !closed) {
            readAgainQueued = true;
            loop.execute(readAgain);
        }
    }

    /** The level-triggered read the selector cannot give for bytes the codec holds. */
    private void readAgain() {
        readAgainQueued = false;
        if (closed || handshaking || !key.isValid() || !codec.hasReadyInput()) {
            return;
        }
        try {
            if ((key.interestOps() & SelectionKey.OP_READ) != 0) {
                ((IoHandler) key.attachment()).onReadable();
            }
        } catch (CancelledKeyException ignored) {
            // closed meanwhile
        }
    }
}
