/**
 * Plugins: the built-in filters ({@code mock}, {@code ping}, {@code request_id},
 * {@code response_headers}, {@code limit}), each a {@link io.pingora4j.spi.FilterFactory} registered in
 * {@code META-INF/services} exactly like a third-party one, and {@link
 * io.pingora4j.server.plugins.PluginLoader}, which finds factories on the server's class path and
 * in the jars of a plugins folder and builds a {@link io.pingora4j.server.plugins.PluginRegistry}.
 */
package io.pingora4j.server.plugins;
