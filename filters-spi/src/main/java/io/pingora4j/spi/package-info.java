/**
 * The public API of pingora4j: what a proxy or a filter is written against.
 *
 * <p>{@link io.pingora4j.spi.ProxyHttp} is a whole proxy (Pingora's {@code ProxyHttp} trait): a set
 * of phase callbacks the engine calls, in order, for every request. {@link io.pingora4j.spi.HttpFilter}
 * is one link of a filter chain run by a proxy (the server's locations run such chains);
 * {@link io.pingora4j.spi.FilterFactory} turns a {@code [plugins.NAME]} table into a filter and is
 * found through {@link java.util.ServiceLoader}, so a jar dropped in the plugins folder adds one.
 *
 * <h2>Threads</h2>
 * Every callback runs on the event loop that owns the request's connection, one request at a
 * time per connection. A callback must never block: work that waits returns
 * {@link io.pingora4j.spi.Action#defer} and completes elsewhere; the session then resumes on its
 * own loop.
 */
package io.pingora4j.spi;
