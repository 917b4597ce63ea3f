package io.pingora4j.server.plugins.directory;

import io.pingora4j.server.config.ByteSize;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Pingap's {@code directory} plugin: serves static files from a folder (index, Range/206,
 * ETag/Last-Modified/304, content types, Cache-Control, downloads, an optional listing), with no
 * way out of the folder by {@code ..}, by encoded separators or (unless allowed) by symbolic
 * links. See {@code docs/plugins/directory.md}.
 *
 * <pre>
 * [plugins.web]
 * category = "directory"
 * path = "/var/www/app"
 * index = "index.html"
 * max_age = "1h"            # Cache-Control max-age, not for text/html
 * charset = "utf-8"
 * headers = ["X-Content-Type-Options: nosniff"]
 * </pre>
 *
 * Files are read off the event loops (see {@link DirectoryFilter}). Immutable; thread-safe.
 */
public final class DirectoryFilterFactory implements FilterFactory {

    public static final String CATEGORY = "directory";
    /** Largest body read into memory for one answer (a whole file, or one range). */
    public static final long MAX_BODY = 64L * 1024 * 1024;

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String dir = config.string("path").trim();
        if (dir.startsWith("~")) {
            dir = System.getProperty("user.home") + dir.substring(1);
        }
        Path root;
        try {
            root = Path.of(dir).toAbsolutePath().normalize().toRealPath();
        } catch (IOException | RuntimeException e) {
            throw config.invalid("path", "cannot open the folder \"" + dir + "\": " + e.getMessage());
        }
        if (!Files.isDirectory(root)) {
            throw config.invalid("path", "\"" + dir + "\" is not a folder");
        }
        String index = config.string("index", "index.html").trim();
        while (index.startsWith("/")) {
            index = index.substring(1);
        }
        if (index.isEmpty() || index.contains("/") || index.equals("..")) {
            throw config.invalid("index", "must be a file name in the folder, got \"" + config.string("index") + "\"");
        }
        if (config.has("chunk_size")) {
            Object raw = config.raw("chunk_size");
            try {
                long n = raw instanceof Long l ? l : ByteSize.parse(String.valueOf(raw));
                if (n <= 0) {
                    throw new IllegalArgumentException("must be positive");
                }
            } catch (RuntimeException e) {
                throw config.invalid("chunk_size", "expected a size such as \"64kb\": " + e.getMessage());
            }
        }
        String step = config.string("step", "request").trim().toLowerCase(Locale.ROOT);
        if (!step.equals("request") && !step.equals("proxy_upstream")) {
            throw config.invalid("step", "expected request or proxy_upstream, got \"" + step + "\"");
        }
        Duration maxAge = config.has("max_age") ? config.duration("max_age", Duration.ZERO) : null;
        boolean isPrivate = config.bool("private", false);
        String cacheControl = maxAge != null ? "max-age=" + maxAge.toSeconds() + (isPrivate ? ", private" : "")
                : isPrivate ? "private" : null;
        String charset = config.string("charset", null);
        if (charset != null && !charset.matches("[A-Za-z0-9._-]+")) {
            throw config.invalid("charset", "expected a charset name such as utf-8, got \"" + charset + "\"");
        }
        List<HeaderLine> headers = HeaderLine.parseList(config, "headers");
        Duration cacheValid = config.duration("cache_valid", Duration.ofSeconds(1));
        return new DirectoryFilter(root, index, config.bool("autoindex", false), cacheControl, charset,
                config.bool("download", false), config.bool("follow_symlinks", false), headers, cacheValid.toNanos());
    }
}
