package io.pingora4j.server.plugins;

import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pingap's {@code cache} plugin: an HTTP cache (RFC 9111) in memory or in a folder, in front of a
 * location.
 *
 * <pre>
 * [plugins.pageCache]
 * category = "cache"
 * directory = ""               # empty or memory://: in memory; else a folder (files survive restarts)
 * max_size = "100mb"           # bytes the cache may hold (in memory: bodies and fields; on disk: files); default 100 MB
 * max_ttl = "1h"               # ceiling on any response's freshness lifetime; default none
 * max_file_size = "1mb"        # larger responses pass through without being stored; default 1 MB
 * lock = "1s"                  # how long requests for a key being fetched wait for it; default 1 s
 * headers = ["Accept-Language"] # request fields that are part of the key
 * purge_ip_list = ["127.0.0.1", "10.0.0.0/8"]  # who may send PURGE
 * check_cache_control = false  # true: store only responses that carry Cache-Control
 * skip = "^/api/private"       # a regex on path and query: matching requests bypass the cache
 * namespace = ""               # prefix of every key
 * </pre>
 *
 * <p>Storage is a byte-weighted TinyLFU / S3-FIFO cache ({@link TinyUfoCache}), one per plugin
 * instance in memory; on disk the same cache is the index of a folder's files ({@link CacheStore}),
 * one store per folder ({@code directory}, plus {@code namespace} as a sub-folder).
 *
 * <p>Refused at load: Pingap's file-cache parameters ({@code directory = "/path?inactive=1h"}), a
 * folder that cannot be created or written, a bad size, duration or regex, an IP list entry that
 * is not an address or CIDR block.
 */
public final class CacheFilterFactory implements FilterFactory {

    public static final String CATEGORY = "cache";
    static final long DEFAULT_MAX_SIZE = 100_000_000L;
    static final long DEFAULT_MAX_FILE_SIZE = 1_000_000L;
    static final Duration DEFAULT_LOCK = Duration.ofSeconds(1);

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        return create(config, () -> System.currentTimeMillis() / 1000);
    }

    /** As {@link #create(PluginConfig)} with the clock (epoch seconds) the freshness rules read; for tests. */
    HttpFilter create(PluginConfig config, LongSupplier epochSeconds) {
        String directory = config.string("directory", "").trim();
        if (directory.startsWith("memory://")) {
            if (directory.contains("?")) {
                throw config.invalid("directory", "parameters of a memory:// store are not read here; set max_size"
                        + " instead (got \"" + directory + "\")");
            }
            directory = "";
        } else if (directory.contains("?")) {
            throw config.invalid("directory", "parameters of Pingap's file cache (inactive, reading_max...) are not"
                    + " supported; give the folder alone and bound it with max_size (got \"" + directory + "\")");
        }
        long maxSize = size(config, "max_size", DEFAULT_MAX_SIZE);
        long maxFileSize = size(config, "max_file_size", DEFAULT_MAX_FILE_SIZE);
        if (maxFileSize > Integer.MAX_VALUE - 16) {
            throw config.invalid("max_file_size", "must be below 2 GB, got " + maxFileSize);
        }
        Duration maxTtl = config.duration("max_ttl", null);
        Duration lock = config.duration("lock", DEFAULT_LOCK);
        List<String> headers = config.has("headers") ? config.stringList("headers") : List.of();
        for (String h : headers) {
            if (h.isBlank() || !h.chars().allMatch(CacheFilterFactory::isTokenChar)) {
                throw config.invalid("headers", "\"" + h + "\" is not a header field name");
            }
        }
        IpList purge;
        try {
            purge = IpList.parse(config.has("purge_ip_list") ? config.stringList("purge_ip_list") : List.of());
        } catch (IllegalArgumentException e) {
            throw config.invalid("purge_ip_list", e.getMessage());
        }
        Pattern skip = null;
        String skipText = config.string("skip", "");
        if (!skipText.isEmpty()) {
            try {
                skip = Pattern.compile(skipText);
            } catch (PatternSyntaxException e) {
                throw config.invalid("skip", "not a regular expression: " + e.getDescription());
            }
        }
        String namespace = config.string("namespace", "");
        CacheStore store;
        if (directory.isEmpty()) {
            store = new CacheStore(maxSize);
        } else {
            Path folder = folder(config, directory, namespace);
            try {
                store = CacheStore.onDisk(folder, maxSize);
            } catch (UncheckedIOException e) {
                throw config.invalid("directory", e.getMessage());
            }
        }
        return new HttpCacheFilter(store, new HttpCacheFilter.Settings(namespace,
                maxTtl == null ? Long.MAX_VALUE : maxTtl.toSeconds(), (int) maxFileSize, lock.toNanos(),
                headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toArray(String[]::new), purge,
                config.bool("check_cache_control", false), skip), epochSeconds);
    }

    /** The cache folder: {@code directory} ({@code ~} is the home folder), with the namespace as a sub-folder. */
    private static Path folder(PluginConfig config, String directory, String namespace) {
        String dir = directory.startsWith("~") ? System.getProperty("user.home") + directory.substring(1) : directory;
        Path folder;
        try {
            folder = Path.of(dir);
            if (!folder.isAbsolute()) {
                // a plugin sees no configuration folder to resolve against, and the working
                // directory is no place to guess: an absolute path says where the files go
                throw config.invalid("directory", "must be an absolute path (or start with ~), got \"" + directory + "\"");
            }
            folder = folder.normalize();
            if (!namespace.isEmpty()) {
                if (namespace.contains("/") || namespace.contains("\\") || namespace.equals("..") || namespace.equals(".")) {
                    throw config.invalid("namespace", "must be a plain name (it is a sub-folder of directory), got \""
                            + namespace + "\"");
                }
                folder = folder.resolve(namespace);
            }
        } catch (InvalidPathException e) {
            throw config.invalid("directory", "not a path: " + e.getMessage());
        }
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw config.invalid("directory", folder + " exists and is not a folder");
        }
        return folder;
    }

    private static long size(PluginConfig config, String key, long defaultValue) {
        long v = config.size(key, defaultValue);
        if (v <= 0) {
            throw config.invalid(key, "must be positive, got " + v);
        }
        return v;
    }

    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
