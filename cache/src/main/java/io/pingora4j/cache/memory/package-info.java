/**
 * Bounded in-memory caches weighted by bytes: {@link io.pingora4j.cache.memory.TinyUfoCache}
 * (TinyLFU admission, S3-FIFO eviction) and {@link io.pingora4j.cache.memory.LruCache}, both
 * behind {@link io.pingora4j.cache.memory.MemoryCache}.
 */
package io.pingora4j.cache.memory;
