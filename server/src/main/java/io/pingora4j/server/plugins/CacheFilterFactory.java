package io.pingora4j.server.plugins;

import io.pingora4j.cache.memory.TinyUfoCache;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pingap's {@code cache} plugin: an HTTP cache (RFC 9111) in memory, in front of a location.
 *
 * <pre>
 * [plugins.pageCache]
 * category = "cache"
 * directory = ""               # empty: in memory (the only store so far)
 * max_size = "100mb"           # bytes the cache may hold (bodies and fields); default 100 MB
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
 * instance.
 *
 * <p>Refused at load: a non-empty {@code directory} (no disk store yet: refusing beats silently
 * caching in memory), a bad size, duration or regex, an IP list entry that is not an address or
 * CIDR block.
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
        if (!directory.isEmpty()) {
            throw config.invalid("directory", "a disk cache is not supported yet; leave it empty for the in-memory"
                    + " cache (got \"" + directory + "\")");
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
        return new HttpCacheFilter(new CacheStore(maxSize), new HttpCacheFilter.Settings(namespace,
                maxTtl == null ? Long.MAX_VALUE : maxTtl.toSeconds(), (int) maxFileSize, lock.toNanos(),
                headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toArray(String[]::new), purge,
                config.bool("check_cache_control", false), skip), epochSeconds);
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
