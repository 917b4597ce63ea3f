package io.pingora4j.server.plugins.directory;

import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.HeaderLine;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executors;

/**
 * The {@code directory} filter. The request path is decoded and checked on the loop (cheap, no
 * I/O); the file system is only touched on the {@code directory-io} threads, and the answer is
 * sent from the session's loop. The SPI's local answer is one buffer, so a file (or a range) is
 * read into memory, up to {@link DirectoryFilterFactory#MAX_BODY}. Files up to {@link #CACHE_FILE_MAX}
 * are kept in memory and answered from the loop itself for {@code cache_valid} after they were
 * read (then looked at again off the loop), within {@link #CACHE_MAX} per plugin.
 *
 * <p>Immutable; thread-safe.
 */
final class DirectoryFilter implements HttpFilter {

    private static final ExecutorService IO = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "directory-io");
                t.setDaemon(true);
                return t;
            });
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final String HEAD_LENGTH = "directory.headLength";

    private final Path root;
    private final String index;
    private final boolean autoindex;
    private final String cacheControl;
    private final String charset;
    private final boolean download;
    private final boolean followSymlinks;
    private final List<HeaderLine> headers;
    private final long cacheValidNanos;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();

    /** Files up to this size are held in memory (with {@code cache_valid} above 0). */
    static final long CACHE_FILE_MAX = 256 * 1024;
    /** Memory held for files, per plugin. */
    static final long CACHE_MAX = 64L * 1024 * 1024;

    DirectoryFilter(Path root, String index, boolean autoindex, String cacheControl, String charset, boolean download,
                    boolean followSymlinks, List<HeaderLine> headers, long cacheValidNanos) {
        this.cacheValidNanos = cacheValidNanos;
        this.root = root;
        this.index = index;
        this.autoindex = autoindex;
        this.cacheControl = cacheControl;
        this.charset = charset;
        this.download = download;
        this.followSymlinks = followSymlinks;
        this.headers = headers;
    }

    @Override
    public Action requestFilter(Session session) {
        RequestHead req = session.request();
        HttpMethod m = req.method();
        if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
            ResponseHead h = new ResponseHead();
            h.setStatus(405);
            h.headers().set("Allow", "GET, HEAD");
            session.respond(h, null);
            return Action.RESPONDED;
        }
        String relative = relativePath(req.path());
        if (relative == null) {
            session.respond(400, "text/plain", "Bad path".getBytes(StandardCharsets.US_ASCII));
            return Action.RESPONDED;
        }
        if (relative.equals("..")) {
            session.respond(403, "text/plain", "Forbidden".getBytes(StandardCharsets.US_ASCII));
            return Action.RESPONDED;
        }
        Conditions c = new Conditions(req.headers().get("If-None-Match"), req.headers().get("If-Modified-Since"),
                req.headers().get("Range"), req.headers().get("If-Range"), m == HttpMethod.HEAD, req.path());
        Cached hit = cacheValidNanos > 0 ? cache.get(relative) : null;
        if (hit != null && System.nanoTime() - hit.loadedNanos() < cacheValidNanos) {
            try {
                return answer(session, answer(hit.meta(), hit.bytes(), null, c)); // bytes in memory: no I/O here
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // not reached: with bytes, answer reads nothing
            }
        }
        return Action.defer(CompletableFuture.supplyAsync(() -> lookup(relative, c), IO)
                .thenApplyAsync(f -> answer(session, f), session.executor()));
    }

    /** What the loop read from the request, for the lookup thread. */
    private record Conditions(String ifNoneMatch, String ifModifiedSince, String range, String ifRange, boolean head,
                              String requestPath) {
    }

    private Action answer(Session session, StaticFile f) {
        ResponseHead h = new ResponseHead();
        h.setStatus(f.status());
        for (String[] kv : f.fields()) {
            h.headers().add(kv[0], kv[1]);
        }
        if (f.length() >= 0) {
            session.setAttribute(HEAD_LENGTH, f.length());
        }
        session.respond(h, f.body());
        return Action.RESPONDED;
    }

    /** A HEAD answer is sent without body; its Content-Length is the file's (RFC 9110 §9.3.2). */
    @Override
    public void responseFilter(Session session, ResponseHead response) {
        if (session.attribute(HEAD_LENGTH) instanceof Long length) {
            response.setContentLength(length);
            session.setAttribute(HEAD_LENGTH, null);
        }
    }

    /**
     * The percent-decoded path relative to the root, with "." and empty segments dropped: "" for
     * the root, ".." when it climbs out of the root, null when it cannot be decoded or holds a NUL
     * or a backslash (which some file systems read as a separator).
     */
    static String relativePath(String path) {
        byte[] decoded = new byte[path.length()];
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length()) {
                    return null;
                }
                int hi = Character.digit(path.charAt(i + 1), 16);
                int lo = Character.digit(path.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                decoded[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                decoded[n++] = (byte) c;
            }
        }
        String text = new String(decoded, 0, n, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0 || text.indexOf('\\') >= 0 || text.indexOf('\uFFFD') >= 0) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String seg : text.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (parts.isEmpty()) {
                    return "..";
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(seg);
        }
        return String.join("/", parts);
    }

    // ------------------------------------------------------------------ off the loop

    private StaticFile lookup(String relative, Conditions c) {
        try {
            Path file = relative.isEmpty() ? root : root.resolve(relative);
            if (!file.normalize().startsWith(root)) {
                return text(403, "Forbidden");
            }
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (!followSymlinks && !file.toRealPath().startsWith(root)) {
                return text(403, "Forbidden"); // a link that leads out of the folder
            }
            if (attrs.isDirectory()) {
                if (autoindex) {
                    return listing(file, c.requestPath());
                }
                if (!relative.isEmpty()) {
                    return text(404, "Not Found");
                }
                file = root.resolve(index);
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
                if (!followSymlinks && !file.toRealPath().startsWith(root)) {
                    return text(403, "Forbidden");
                }
                if (!attrs.isRegularFile()) {
                    return text(404, "Not Found");
                }
            } else if (!attrs.isRegularFile()) {
                return text(404, "Not Found");
            }
            return serve(file, attrs, c, relative);
        } catch (NoSuchFileException e) {
            return text(404, "Not Found");
        } catch (IOException | SecurityException e) {
            return text(500, "File access error");
        }
    }

    /** A file's fields and validators, computed once per load. Immutable. */
    private record Meta(List<String[]> fields, String etag, String lastModified, long mtime, long size) {
    }

    /** A small file held in memory, served from the loop until {@code cache_valid} has passed. */
    private record Cached(Meta meta, byte[] bytes, long loadedNanos) {
    }

    private StaticFile serve(Path file, BasicFileAttributes attrs, Conditions c, String key) throws IOException {
        Meta meta = meta(file, attrs);
        byte[] whole = null;
        if (cacheValidNanos > 0 && meta.size() <= CACHE_FILE_MAX && !c.head()) {
            whole = new byte[(int) meta.size()];
            ByteBuffer b = ByteBuffer.wrap(whole);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                    // until full, or the file shrank meanwhile
                }
            }
            if (b.hasRemaining()) {
                whole = java.util.Arrays.copyOf(whole, b.position());
            }
            Cached old = cache.get(key);
            long grow = whole.length - (old == null ? 0 : old.bytes().length);
            if (cachedBytes.addAndGet(grow) <= CACHE_MAX) {
                cache.put(key, new Cached(meta, whole, System.nanoTime()));
            } else {
                cachedBytes.addAndGet(-grow); // full: served, not kept
            }
        }
        return answer(meta, whole, file, c);
    }

    private Meta meta(Path file, BasicFileAttributes attrs) {
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        String etag = "W/\"" + Long.toHexString(size) + "-" + Long.toHexString(mtime / 1000) + "\"";
        String lastModified = HTTP_DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(mtime), ZoneOffset.UTC));
        String name = file.getFileName().toString();
        String type = MimeTypes.of(name);
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"Content-Type", charset != null && type.startsWith("text/") ? type + "; charset=" + charset : type});
        fields.add(new String[] {"Accept-Ranges", "bytes"});
        fields.add(new String[] {"ETag", etag});
        fields.add(new String[] {"Last-Modified", lastModified});
        if (cacheControl != null && !type.equals("text/html")) {
            fields.add(new String[] {"Cache-Control", cacheControl});
        }
        if (download) {
            fields.add(new String[] {"Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^\\x20-\\x7e]|\"", "_") + "\""});
        }
        for (HeaderLine h : headers) {
            fields.add(new String[] {h.name(), h.value()});
        }
        return new Meta(List.copyOf(fields), etag, lastModified, mtime, size);
    }

    /**
     * The answer for {@code c} from a file's meta and, when held, its bytes ({@code whole}); without
     * them the body (or range) is read from {@code file}, so this runs on the loop only with bytes.
     */
    private static StaticFile answer(Meta meta, byte[] whole, Path file, Conditions c) throws IOException {
        List<String[]> fields = new ArrayList<>(meta.fields());
        long size = meta.size();
        if (notModified(c, meta.etag(), meta.mtime())) {
            fields.removeIf(f -> f[0].equals("Content-Type") || f[0].equals("Accept-Ranges"));
            return new StaticFile(304, fields, null, -1);
        }
        long start = 0;
        long end = size - 1;
        int status = 200;
        if (c.range() != null && (c.ifRange() == null || c.ifRange().equals(meta.etag()) || c.ifRange().equals(meta.lastModified()))) {
            long[] r = range(c.range(), size);
            if (r == null) {
                fields.add(new String[] {"Content-Range", "bytes */" + size});
                return new StaticFile(416, fields, null, -1);
            }
            if (r.length == 2) {
                start = r[0];
                end = r[1];
                status = 206;
                fields.add(new String[] {"Content-Range", "bytes " + start + "-" + end + "/" + size});
            }
        }
        long length = end - start + 1;
        if (c.head()) {
            return new StaticFile(status, fields, null, Math.max(0, length));
        }
        if (whole != null) {
            int from = (int) Math.min(start, whole.length);
            int len = (int) Math.max(0, Math.min(length, whole.length - from));
            return new StaticFile(status, fields, ByteBuffer.wrap(whole, from, len).slice(), -1);
        }
        if (length > DirectoryFilterFactory.MAX_BODY) {
            return text(500, "File too large to answer in one piece; ask for a range");
        }
        ByteBuffer body = ByteBuffer.allocate((int) Math.max(0, length));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = start;
            while (body.hasRemaining()) {
                int k = ch.read(body, at);
                if (k < 0) {
                    break; // the file shrank meanwhile: send what there is
                }
                at += k;
            }
        }
        return new StaticFile(status, fields, body.flip(), -1);
    }

    /** If-None-Match (weak comparison, RFC 9110 §13.1.2) wins over If-Modified-Since. */
    private static boolean notModified(Conditions c, String etag, long mtime) {
        if (c.ifNoneMatch() != null) {
            String bare = etag.substring(2);
            for (String t : c.ifNoneMatch().split(",")) {
                String v = t.trim();
                if (v.equals("*") || v.equals(etag) || v.equals(bare) || (v.startsWith("W/") && v.substring(2).equals(bare))) {
                    return true;
                }
            }
            return false;
        }
        if (c.ifModifiedSince() != null) {
            try {
                long since = ZonedDateTime.parse(c.ifModifiedSince().trim(), HTTP_DATE).toInstant().toEpochMilli();
                return mtime / 1000 <= since / 1000;
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * The first range of a {@code bytes=} Range value (RFC 9110 §14.1.2): {start, end} inclusive;
     * an empty array when the field is not a bytes range (then it is ignored: 200); null when it is
     * unsatisfiable (416).
     */
    static long[] range(String value, long size) {
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new long[0];
        }
        String first = v.substring(6).split(",")[0].trim();
        int dash = first.indexOf('-');
        if (dash < 0) {
            return new long[0];
        }
        try {
            String a = first.substring(0, dash).trim();
            String b = first.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return null;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long start = Long.parseLong(a);
            long end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (start >= size || start > end || start < 0) {
                return null;
            }
            return new long[] {start, end};
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    private StaticFile listing(Path dir, String requestPath) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".")) {
                    names.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? n + "/" : n);
                }
            }
        }
        String base = requestPath.endsWith("/") ? requestPath : requestPath + "/";
        ByteArrayOutputStream html = new ByteArrayOutputStream();
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Index of ")
                .append(escape(base)).append("</title></head><body><h1>Index of ").append(escape(base)).append("</h1><ul>");
        for (String n : names) {
            sb.append("<li><a href=\"").append(escape(base + encode(n))).append("\">").append(escape(n)).append("</a></li>");
        }
        sb.append("</ul></body></html>");
        html.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"Content-Type", "text/html; charset=utf-8"});
        return new StaticFile(200, fields, ByteBuffer.wrap(html.toByteArray()), -1);
    }

    private static String encode(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static StaticFile text(int status, String body) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"Content-Type", "text/plain"});
        return new StaticFile(status, fields, ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII)), -1);
    }
}
