/**
 * The access log: {@link io.pingora4j.server.accesslog.AccessLogFormat} compiles Pingap's
 * templates and presets, {@link io.pingora4j.server.accesslog.AccessLogWriter} writes lines from
 * a bounded queue on a background thread without ever blocking an event loop, and
 * {@link io.pingora4j.server.accesslog.AccessLog} ties the two for the proxy's logging phase.
 */
package io.pingora4j.server.accesslog;
