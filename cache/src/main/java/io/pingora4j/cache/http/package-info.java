/**
 * HTTP caching semantics for a shared cache (RFC 9111, RFC 5861): {@code Cache-Control}
 * parsing, freshness lifetime and age, stale serving, and storability. Header values come in
 * as strings and times as epoch seconds, so nothing here depends on a particular HTTP model.
 */
package io.pingora4j.cache.http;
