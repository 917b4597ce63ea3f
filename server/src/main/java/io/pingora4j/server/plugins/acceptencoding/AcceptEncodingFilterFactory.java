package io.pingora4j.server.plugins.acceptencoding;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.server.plugins.compression.AcceptEncoding;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pingap's {@code accept_encoding} plugin: rewrites the client's {@code Accept-Encoding} to the
 * configured codings it accepts, in the configured order, so origins and caches see few variants.
 * See {@code docs/plugins/accept_encoding.md}.
 *
 * <pre>
 * [plugins.acceptEncoding]
 * category = "accept_encoding"
 * encodings = "zstd, br, gzip"     # kept in this order when the client accepts them
 * only_one_encoding = true         # keep only the first one
 * </pre>
 *
 * Runs first (earlyRequestFilter). Immutable; thread-safe.
 */
public final class AcceptEncodingFilterFactory implements FilterFactory {

    public static final String CATEGORY = "accept_encoding";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        List<String> encodings = new ArrayList<>();
        String[] parts = config.string("encodings", "").split(",");
        for (String p : parts) {
            String e = p.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (!e.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw config.invalid("encodings", "\"" + p.trim() + "\" is not a content coding such as gzip, br or zstd");
            }
            encodings.add(e);
        }
        if (encodings.isEmpty()) {
            throw config.invalid("encodings", "is required: the codings to keep, in order, e.g. \"zstd, br, gzip\"");
        }
        return new AcceptEncodingFilter(List.copyOf(encodings), config.bool("only_one_encoding", false));
    }

    /** Immutable; thread-safe. */
    static final class AcceptEncodingFilter implements HttpFilter {
        private static final String ACCEPT_ENCODING = "Accept-Encoding";
        private final List<String> encodings;
        private final boolean onlyOne;

        AcceptEncodingFilter(List<String> encodings, boolean onlyOne) {
            this.encodings = encodings;
            this.onlyOne = onlyOne;
        }

        @Override
        public void earlyRequestFilter(Session session) {
            HeaderBlock h = session.request().headers();
            if (!h.contains(ACCEPT_ENCODING)) {
                return;
            }
            StringBuilder joined = new StringBuilder();
            for (int i = h.indexOf(ACCEPT_ENCODING); i >= 0; i = h.indexOf(ACCEPT_ENCODING, i + 1)) {
                joined.append(joined.length() == 0 ? "" : ", ").append(h.value(i));
            }
            String sent = joined.toString();
            StringBuilder kept = new StringBuilder();
            for (int i = 0; i < encodings.size(); i++) {
                if (AcceptEncoding.accepts(sent, encodings.get(i))) {
                    kept.append(kept.length() == 0 ? "" : ", ").append(encodings.get(i));
                    if (onlyOne) {
                        break;
                    }
                }
            }
            h.removeAll(ACCEPT_ENCODING);
            if (kept.length() > 0) {
                h.add(ACCEPT_ENCODING, kept);
            }
        }
    }
}
