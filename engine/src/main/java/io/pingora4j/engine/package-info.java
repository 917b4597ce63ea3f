/**
 * The proxy engine: event loops, connections, buffers, timers, upstream pools, and the state
 * machine that drives a {@link io.pingora4j.spi.ProxyHttp} through its phases.
 *
 * <h2>Threads</h2>
 * {@link io.pingora4j.engine.Server} runs N {@link io.pingora4j.engine.EventLoop}s. Each owns one
 * selector, its listening socket (SO_REUSEPORT), a buffer pool, a heap of timers and an upstream
 * connection pool; a client connection and every upstream connection it uses live on one loop for
 * their whole life, so nothing on the hot path is shared between loops or locked. Other threads
 * reach a loop only through its task queue ({@link io.pingora4j.engine.EventLoop#execute}).
 *
 * <h2>Bytes</h2>
 * A connection reads into a pooled direct buffer; the HTTP/1.1 parser reports body runs as regions
 * of it, and those regions are written to the other side from the same buffer (a gathering write
 * with the chunk framing). When the other side cannot take them, reading stops until it drains:
 * backpressure both ways, memory bounded by the buffers.
 *
 * <h2>A request is not a connection</h2>
 * A {@link io.pingora4j.engine.ProxySession} runs one request's phases between a
 * {@link io.pingora4j.engine.Downstream} (an HTTP/1.1 client connection, or one stream of an
 * HTTP/2 one) and an {@link io.pingora4j.engine.UpstreamExchange} (an HTTP/1.1 origin connection
 * it has to itself, or one stream of a multiplexed {@link io.pingora4j.engine.H2Upstream}), and
 * asks neither which protocol it speaks. HTTP/2 streams copy what must outlive a shared
 * connection's read buffer (request bodies from clients, response DATA from origins) into pooled
 * buffers of their own, and give flow-control credit back only as the other side takes the bytes.
 * A gRPC call ({@link io.pingora4j.engine.GrpcCall}) adds a deadline and gRPC-shaped answers to
 * the failures the proxy answers itself.
 *
 * <h2>TLS</h2>
 * A connection's bytes go through a {@link io.pingora4j.engine.Transport}: plain TCP, or
 * {@link io.pingora4j.engine.TlsTransport} driving a {@link io.pingora4j.tls.TlsCodec} on the same
 * loop. The handshake owns the socket until it completes (its delegated tasks run on the server's
 * small TLS pool, then it resumes on its loop); the HTTP/1.1 code above reads and writes plaintext
 * and does not know which transport it has. Listeners take a
 * {@link io.pingora4j.tls.ServerEngineFactory} ({@code listenTls}); origins a
 * {@link io.pingora4j.tls.ClientEngineFactory} ({@code clientTls}), from which each loop takes
 * siblings offering "h2" and "h2, http/1.1" by ALPN for peers that may speak HTTP/2.
 */
package io.pingora4j.engine;
