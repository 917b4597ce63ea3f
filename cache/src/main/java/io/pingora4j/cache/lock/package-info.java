/**
 * Coordination of concurrent cache fills: {@link io.pingora4j.cache.lock.StampedeLock} lets one
 * caller per key fetch from the origin while the others wait without blocking a thread.
 */
package io.pingora4j.cache.lock;
