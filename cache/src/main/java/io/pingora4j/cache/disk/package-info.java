/**
 * Cache entries in files ({@link io.pingora4j.cache.disk.DiskStore}): atomic writes, checksums,
 * recovery after a restart or a crash. The eviction policy stays the memory caches' own: an index
 * of the entries in a {@link io.pingora4j.cache.memory.TinyUfoCache} bounded by their bytes on
 * disk, whose evictions delete files.
 */
package io.pingora4j.cache.disk;
