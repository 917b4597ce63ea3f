package io.pingora4j.server.plugins;

import io.pingora4j.cache.disk.DiskStore;
import io.pingora4j.cache.lock.StampedeLock;
import io.pingora4j.cache.memory.MemoryCache;
import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of one cache plugin: stored responses weighted by bytes, the stampede lock, and the
 * keys. A URL's primary key holds its response, or (when it varies, RFC 9111 §4.1) a
 * {@link CachedResponse.Variants} marker under which each variant has a key of its own.
 *
 * <p>In memory, the responses (bodies included) live in a byte-weighted TinyLFU / S3-FIFO cache.
 * On disk ({@link #onDisk}), the same kind of cache is the index, weighted by each entry's bytes
 * on disk, so admission and eviction are the memory cache's own; each response and marker is a
 * file ({@link DiskStore}: atomic writes, checksums), an eviction deletes its file, and the index
 * is filled again from the folder after a restart. Files are written, read and deleted on this
 * store's own I/O threads, never on an event loop: a response is findable once its file is in
 * place, and a body is read into memory for the request that serves it.
 *
 * <p>Thread-safe: the cache and the lock are; the generation counter is atomic; file work is
 * queued to the I/O threads.
 */
final class CacheStore {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStore.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** Disk stores by folder: a configuration reloaded with the same folder keeps its store and index. */
    private static final ConcurrentHashMap<Path, CacheStore> ON_DISK = new ConcurrentHashMap<>();
    private static final int IO_THREADS = 2;
    private static final int IO_QUEUE = 4096;

    private final MemoryCache<String, Object> entries;
    final StampedeLock<String> lock = new StampedeLock<>(System::nanoTime, Duration.ofSeconds(60));
    private final AtomicLong generations = new AtomicLong();
    /** The files, or null for a memory store. */
    private final DiskStore disk;
    private final ThreadPoolExecutor io;
    /** Completes once the index holds what the folder held at start (requests are served meanwhile). */
    private final CompletableFuture<Void> recovered;
    /**
     * Orders changes of the index on disk: a recovered entry never replaces a newer one stored
     * meanwhile. Held only around in-memory work, never around I/O.
     */
    private final Object indexLock = new Object();
    /** Keys removed (purged, invalidated) while the index was being filled: their old files stay out. */
    private final Set<String> removedWhileRecovering = ConcurrentHashMap.newKeySet();
    /**
     * The writes in flight by key, each with its cancellation: a key removed while its file is
     * being written must not appear once the write ends (a PURGE right after a fetch wins).
     */
    private final ConcurrentHashMap<String, AtomicBoolean> writing = new ConcurrentHashMap<>();

    /** What {@link #remove} returns when it found no entry but cancelled a write in flight. */
    static final Object CANCELLED_WRITE = new Object();

    /** A memory store of at most {@code maxSize} bytes (bodies and fields). */
    CacheStore(long maxSize) {
        this.entries = new TinyUfoCache<>(maxSize, Math.max(1024, maxSize / 16_384));
        this.disk = null;
        this.io = null;
        this.recovered = DONE;
    }

    private CacheStore(Path folder, long maxSize) {
        this.disk = new DiskStore(folder);
        this.io = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(IO_QUEUE),
                r -> {
                    Thread t = new Thread(r, "cache-disk-io");
                    t.setDaemon(true);
                    return t;
                });
        this.io.allowCoreThreadTimeOut(true);
        // variant keys carry their marker's generation: never reuse one a file of an earlier run has
        this.generations.set(System.currentTimeMillis() * 1000);
        // evictions happen on whichever thread put (an I/O thread, or a loop storing a revalidation):
        // the file is deleted on an I/O thread
        this.entries = new TinyUfoCache<>(maxSize, Math.max(1024, maxSize / 65_536), (k, v) -> 0L,
                (k, v, w) -> deleteLater(fileOf(v)));
        this.recovered = CompletableFuture.runAsync(this::recover, io);
    }

    /**
     * The disk store of {@code folder}, opened (and its index filled from the folder, in the
     * background) on first use; later calls for the same folder get the same store.
     *
     * @throws java.io.UncheckedIOException if the folder cannot be created or written
     */
    static CacheStore onDisk(Path folder, long maxSize) {
        Path key = folder.toAbsolutePath().normalize();
        CacheStore s = ON_DISK.computeIfAbsent(key, f -> new CacheStore(f, maxSize));
        if (s.entries.maxWeight() != maxSize) {
            LOG.warn("cache folder {} keeps the max_size it was opened with ({} bytes) until a restart", key,
                    s.entries.maxWeight());
        }
        return s;
    }

    /** The folder of a disk store, or null in memory. */
    Path folder() {
        return disk == null ? null : disk.folder();
    }

    /** Completes once a disk store's index holds what its folder held at start (at once in memory). */
    CompletableFuture<Void> recovered() {
        return recovered;
    }

    /** Entries held; for tests. */
    long size() {
        return entries.size();
    }

    /** Fills the index from the folder: oldest entries first, so the newest end up most recent. */
    private void recover() {
        try {
            for (DiskStore.Entry f : disk.recover()) {
                Object value;
                try {
                    value = CachedResponse.decode(f.meta(), f);
                } catch (IOException e) {
                    disk.delete(f); // a format we do not read (another version), or damaged
                    continue;
                }
                if (value instanceof CachedResponse.Variants v) {
                    generations.accumulateAndGet(v.generation(), Math::max);
                }
                boolean kept;
                synchronized (indexLock) {
                    DiskStore.Entry now = fileOf(entries.get(f.key()));
                    kept = !removedWhileRecovering.contains(f.key()) && (now == null || now.sequence() < f.sequence())
                            && entries.put(f.key(), value, f.fileLength()); // refused: over a lowered max_size
                }
                if (!kept) {
                    disk.delete(f);
                }
            }
            LOG.info("cache folder {}: {} entries, {} bytes", disk.folder(), entries.size(), entries.weight());
        } catch (IOException | RuntimeException e) {
            LOG.warn("cache folder {}: could not read what it held ({}); starting empty", disk.folder(), e.toString());
        } finally {
            removedWhileRecovering.clear();
        }
    }

    // ------------------------------------------------------------------ the entries

    /** The entry under {@code key}: a response, a Vary marker, or null. Never does I/O. */
    Object get(String key) {
        return entries.get(key);
    }

    /**
     * Stores a response or a Vary marker under {@code key}. In memory it is findable at once; on
     * disk once its file is written (off the loop), which the result tells. A response whose file
     * exists already (a revalidation: same body, new fields) is only re-indexed; its fields on disk
     * stay as first written (after a restart it is stale and is revalidated again).
     */
    CompletableFuture<Void> put(String key, Object value) {
        if (disk == null) {
            entries.put(key, value, value instanceof CachedResponse r ? r.weight()
                    : 64 + 16L * ((CachedResponse.Variants) value).fields().length);
            return DONE;
        }
        if (value instanceof CachedResponse r && r.file != null) {
            index(key, r.body == null ? r : r.onDisk(r.file));
            return DONE;
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        if (value instanceof CachedResponse.Variants v) {
            // findable at once, as in memory: the variant stored next must be found through it
            // (its own write may end before this one); indexed with its file once that is written
            synchronized (indexLock) {
                entries.put(key, v, 64 + 16L * v.fields().length);
            }
        }
        writing.put(key, cancelled);
        try {
            return CompletableFuture.runAsync(() -> write(key, value, cancelled), io);
        } catch (RejectedExecutionException e) {
            writing.remove(key, cancelled);
            return DONE; // the disk is behind: this response is not stored
        }
    }

    private void write(String key, Object value, AtomicBoolean cancelled) {
        try {
            if (value instanceof CachedResponse r) {
                DiskStore.Entry f = disk.write(key, r.encode(), ByteBuffer.wrap(r.body));
                index(key, r.onDisk(f), cancelled);
            } else {
                CachedResponse.Variants v = (CachedResponse.Variants) value;
                DiskStore.Entry f = disk.write(key, CachedResponse.encode(v), ByteBuffer.allocate(0));
                boolean current;
                synchronized (indexLock) {
                    current = !cancelled.get() && entries.get(key) == v; // not replaced, evicted or purged since
                    if (current && !entries.put(key, new CachedResponse.Variants(v.fields(), v.generation(), f),
                            f.fileLength())) {
                        current = false;
                    }
                }
                if (!current) {
                    deleteLater(f);
                }
            }
        } catch (IOException e) {
            LOG.warn("cache folder {}: could not store an entry: {}", disk.folder(), e.toString());
        } finally {
            writing.remove(key, cancelled);
        }
    }

    private void index(String key, Object value) {
        index(key, value, null);
    }

    /**
     * Puts an entry whose file is written into the index, unless its write was cancelled; the file
     * of what it replaces is deleted.
     */
    private void index(String key, Object value, AtomicBoolean cancelled) {
        DiskStore.Entry f = fileOf(value);
        Object old;
        boolean admitted;
        synchronized (indexLock) {
            if (cancelled != null && cancelled.get()) {
                old = null;
                admitted = false; // removed while it was written
            } else {
                old = entries.get(key);
                admitted = entries.put(key, value, f.fileLength());
            }
        }
        if (!admitted) {
            deleteLater(f); // cancelled, or not admitted: the policy keeps what it has
        }
        DiskStore.Entry oldFile = fileOf(old);
        if (oldFile != null && oldFile != f) {
            deleteLater(oldFile);
        }
    }

    /**
     * Removes the entry under {@code key} (and its file), and cancels a write of it in flight;
     * returns what it removed, {@link #CANCELLED_WRITE} when there was only a write, or null.
     */
    Object remove(String key) {
        if (disk == null) {
            return entries.remove(key);
        }
        if (!recovered.isDone()) {
            removedWhileRecovering.add(key);
        }
        Object v;
        boolean cancelled = false;
        synchronized (indexLock) {
            AtomicBoolean w = writing.get(key);
            if (w != null) {
                cancelled = !w.getAndSet(true);
            }
            v = entries.remove(key);
        }
        deleteLater(fileOf(v));
        return v != null ? v : cancelled ? CANCELLED_WRITE : null;
    }

    /**
     * The response with its body in memory: itself in a memory store; read from its file, off the
     * loop, on disk. Fails when the file is gone or damaged; a damaged one is dropped from the
     * index.
     */
    CompletableFuture<CachedResponse> withBody(CachedResponse r) {
        if (r.body != null) {
            return CompletableFuture.completedFuture(r);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return r.withBody(disk.readBody(r.file));
                } catch (IOException e) {
                    if (e instanceof DiskStore.CorruptEntryException) {
                        LOG.warn("cache folder {}: dropping a damaged entry: {}", disk.folder(), e.getMessage());
                        if (entries.get(r.file.key()) instanceof CachedResponse now && now.file == r.file) {
                            remove(r.file.key());
                        }
                    }
                    throw new UncheckedIOException(e);
                }
            }, io);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static DiskStore.Entry fileOf(Object v) {
        return v instanceof CachedResponse r ? r.file : v instanceof CachedResponse.Variants m ? m.file() : null;
    }

    private void deleteLater(DiskStore.Entry f) {
        if (f == null) {
            return;
        }
        try {
            io.execute(() -> disk.delete(f));
        } catch (RejectedExecutionException e) {
            // the file stays until the next start, whose recovery indexes it again (and may evict it)
        }
    }

    /** namespace, host (lower case) and path with query, plus the configured request fields. */
    static String primaryKey(String namespace, String[] keyHeaders, RequestHead req) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(namespace).append('\u0000');
        String authority = req.authority();
        sb.append(authority == null ? "" : authority.toLowerCase(Locale.ROOT)).append(req.pathAndQuery());
        for (String name : keyHeaders) {
            sb.append('\u0000').append(name).append('=').append(joined(req.headers(), name));
        }
        return sb.toString();
    }

    /** What a request finds: the key it looked up (primary or variant) and the response there, or null. */
    record Found(String key, CachedResponse response) {
    }

    /** The stored response for this request, following a Vary marker. */
    Found find(String primary, HeaderBlock request) {
        Object o = entries.get(primary);
        if (o instanceof CachedResponse.Variants v) {
            String key = variantKey(primary, v, request);
            return new Found(key, entries.get(key) instanceof CachedResponse r ? r : null);
        }
        return new Found(primary, o instanceof CachedResponse r ? r : null);
    }

    /**
     * Where a response is stored: the primary key, or (when it varies on {@code vary}) a variant's
     * key under a marker, made or replaced here when the set of fields changed.
     *
     * @param marker receives a new marker a disk store has not stored yet: {@link #put} it under the
     *     primary key once the variant is stored, so no request finds the marker before its variant
     *     (in memory both are findable at once, and the marker is stored here)
     */
    String storeKey(String primary, String[] vary, HeaderBlock request, CachedResponse.Variants[] marker) {
        Object o = entries.get(primary);
        if (vary == null) {
            if (o instanceof CachedResponse.Variants) {
                remove(primary); // no longer varies: drop the marker and its variants
            }
            return primary;
        }
        CachedResponse.Variants v = o instanceof CachedResponse.Variants m && Arrays.equals(m.fields(), vary) ? m : null;
        if (v == null) {
            v = new CachedResponse.Variants(vary, generations.incrementAndGet());
            if (disk == null) {
                put(primary, v);
            } else {
                marker[0] = v;
            }
        }
        return variantKey(primary, v, request);
    }

    private static String variantKey(String primary, CachedResponse.Variants v, HeaderBlock request) {
        StringBuilder sb = new StringBuilder(primary.length() + 32).append(primary).append('\u0001').append(v.generation());
        for (String f : v.fields()) {
            sb.append('\u0000').append(joined(request, f).trim());
        }
        return sb.toString();
    }

    /** Every value of a field, in order (the cache reads fields as lists). */
    static String[] values(HeaderBlock h, String name) {
        String[] out = null;
        int n = 0;
        for (int i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) {
            if (out == null) {
                out = new String[2];
            } else if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = h.value(i);
        }
        return out == null ? new String[0] : Arrays.copyOf(out, n);
    }

    private static String joined(HeaderBlock h, String name) {
        String[] v = values(h, name);
        return v.length == 0 ? "" : v.length == 1 ? v[0] : String.join(",", v);
    }
}
