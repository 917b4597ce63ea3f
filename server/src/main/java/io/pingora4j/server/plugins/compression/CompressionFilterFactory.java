package io.pingora4j.server.plugins.compression;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pingap's {@code compression} plugin: compresses response bodies with zstd, brotli or gzip as
 * they stream through, chunk by chunk (never buffering a whole body). See
 * {@code docs/plugins/compression.md}.
 *
 * <pre>
 * [plugins.compression]
 * category = "compression"
 * gzip_level = 6           # 1-9; 0 (default) disables gzip
 * br_level = 6             # 1-11; 0 disables brotli
 * zstd_level = 3           # 1-22; 0 disables zstd
 * min_length = 1024        # skip bodies whose Content-Length is smaller; default 0
 * content_types = ["text/*", "application/json"]   # ours; default: see COMPRESSIBLE
 * </pre>
 *
 * The first enabled coding the client accepts wins, in the order zstd, brotli, gzip. The filter
 * is immutable and thread-safe; a response's coder is a session attribute, freed at its end or in
 * {@code logging} if the response never ended.
 */
public final class CompressionFilterFactory implements FilterFactory {

    public static final String CATEGORY = "compression";
    /** Compressed by default: Pingap's list, plus script, SVG and the +json/+xml types. */
    static final List<String> COMPRESSIBLE = List.of("text/*", "application/json", "application/xml",
            "application/javascript", "application/x-javascript", "image/svg+xml", "*+json", "*+xml");

    /** A coding the plugin can produce. */
    enum Coding {
        ZSTD("zstd"), BR("br"), GZIP("gzip");

        final String token;

        Coding(String token) {
            this.token = token;
        }
    }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        int gzip = level(config, "gzip_level", 9);
        int br = level(config, "br_level", 11);
        int zstd = level(config, "zstd_level", 22);
        if (gzip == 0 && br == 0 && zstd == 0) {
            throw config.invalid("gzip_level", "every coding is disabled: set gzip_level, br_level or zstd_level above 0");
        }
        if (br > 0 && BrotliEncoder.unavailable() != null) {
            throw config.invalid("br_level", BrotliEncoder.unavailable());
        }
        if (zstd > 0 && ZstdEncoder.unavailable() != null) {
            throw config.invalid("zstd_level", ZstdEncoder.unavailable());
        }
        String mode = config.string("mode", "downstream").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("downstream") && !mode.equals("upstream")) {
            throw config.invalid("mode", "expected upstream or downstream, got \"" + mode + "\"");
        }
        if (config.has("decompression") && config.bool("decompression", false)) {
            throw config.invalid("decompression", "decompressing origin responses is not supported; remove the key");
        }
        long minLength = config.longValue("min_length", 0);
        if (minLength < 0) {
            throw config.invalid("min_length", "must not be negative, got " + minLength);
        }
        List<String> types = config.has("content_types") ? config.stringList("content_types") : COMPRESSIBLE;
        List<String> lower = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            String t = types.get(i).trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || t.indexOf('/') < 0 && !t.startsWith("*+")) {
                throw config.invalid("content_types[" + i + "]", "expected a media type such as \"text/*\" or "
                        + "\"application/json\", got \"" + types.get(i) + "\"");
            }
            lower.add(t);
        }
        List<Coding> order = new ArrayList<>(3);
        if (zstd > 0) {
            order.add(Coding.ZSTD);
        }
        if (br > 0) {
            order.add(Coding.BR);
        }
        if (gzip > 0) {
            order.add(Coding.GZIP);
        }
        return new CompressionFilter(List.copyOf(order), gzip, br, zstd, minLength, List.copyOf(lower),
                "compression." + config.name());
    }

    private static int level(PluginConfig config, String key, int max) {
        int v = config.integer(key, 0);
        if (v < 0 || v > max) {
            throw config.invalid(key, "must be 0-" + max + ", got " + v);
        }
        return v;
    }

    /** Immutable; thread-safe. */
    static final class CompressionFilter implements HttpFilter {
        private final List<Coding> order;
        private final int gzip;
        private final int br;
        private final int zstd;
        private final long minLength;
        private final List<String> types;
        private final String attribute;

        CompressionFilter(List<Coding> order, int gzip, int br, int zstd, long minLength, List<String> types,
                          String attribute) {
            this.order = order;
            this.gzip = gzip;
            this.br = br;
            this.zstd = zstd;
            this.minLength = minLength;
            this.types = types;
            this.attribute = attribute;
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            int status = response.status();
            if (status < 200 || status == 204 || status == 206 || status == 304
                    || session.request().method() == HttpMethod.HEAD) {
                return;
            }
            HeaderBlock h = response.headers();
            String encoding = h.get("Content-Encoding");
            if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
                return; // already encoded: never twice
            }
            if (!compressible(h.get("Content-Type"))) {
                return;
            }
            addVary(h);
            String cc = h.get("Cache-Control");
            if (cc != null && cc.toLowerCase(Locale.ROOT).contains("no-transform")) {
                return; // RFC 9110 §7.7: a proxy must not change the content
            }
            if (session.request().version() == MessageHead.HTTP_1_0) {
                return; // no chunked coding to frame the compressed body with
            }
            long length = response.contentLength();
            if (minLength > 0 && length >= 0 && length < minLength) {
                return;
            }
            if (length == 0) {
                return;
            }
            Coding coding = choose(session.request().headers().get("Accept-Encoding"));
            if (coding == null) {
                return;
            }
            h.removeAll("Content-Encoding");
            h.set("Content-Encoding", coding.token);
            h.removeAll("Accept-Ranges");
            int etag = h.indexOf("ETag");
            if (etag >= 0 && !h.value(etag).startsWith("W/")) {
                h.set("ETag", "W/" + h.value(etag)); // the bytes changed, the meaning did not (RFC 9110 §8.8.1)
            }
            response.setChunked();
            session.setAttribute(attribute, open(coding));
        }

        @Override
        public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
            if (!(session.attribute(attribute) instanceof StreamEncoder encoder)) {
                return chunk;
            }
            if (endOfStream) {
                session.setAttribute(attribute, null);
            }
            try {
                return encoder.encode(chunk, endOfStream);
            } catch (RuntimeException e) {
                encoder.close();
                session.setAttribute(attribute, null);
                throw e;
            }
        }

        @Override
        public void logging(Session session, ProxyError error) {
            if (session.attribute(attribute) instanceof StreamEncoder encoder) {
                encoder.close(); // the response did not end (client gone, origin failed): free the coder
                session.setAttribute(attribute, null);
            }
        }

        private StreamEncoder open(Coding coding) {
            switch (coding) {
                case ZSTD:
                    return ZstdEncoder.create(zstd);
                case BR:
                    return BrotliEncoder.create(br);
                default:
                    return new GzipEncoder(gzip);
            }
        }

        Coding choose(String acceptEncoding) {
            for (int i = 0; i < order.size(); i++) {
                if (AcceptEncoding.accepts(acceptEncoding, order.get(i).token)) {
                    return order.get(i);
                }
            }
            return null;
        }

        boolean compressible(String contentType) {
            if (contentType == null) {
                return false;
            }
            int semi = contentType.indexOf(';');
            String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
            if (type.equals("text/event-stream")) {
                return false; // events must not wait for a coder's block to fill
            }
            for (int i = 0; i < types.size(); i++) {
                String t = types.get(i);
                if (t.equals(type) || (t.endsWith("/*") && type.startsWith(t.substring(0, t.length() - 1)))
                        || (t.startsWith("*+") && type.endsWith(t.substring(1)))) {
                    return true;
                }
            }
            return false;
        }

        private static void addVary(HeaderBlock h) {
            for (int i = h.indexOf("Vary"); i >= 0; i = h.indexOf("Vary", i + 1)) {
                String v = h.value(i).toLowerCase(Locale.ROOT);
                if (v.contains("accept-encoding") || v.trim().equals("*")) {
                    return;
                }
            }
            h.add("Vary", "Accept-Encoding");
        }
    }
}
