package io.pingora4j.server.plugins.subfilter;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pingap's {@code sub_filter} plugin: literal and regex substitutions in response bodies, applied
 * as the body streams (matches across chunk boundaries found, see {@link StreamingReplacer}).
 * See {@code docs/plugins/sub_filter.md}.
 *
 * <pre>
 * [plugins.rewriteLinks]
 * category = "sub_filter"
 * path = "^/docs"                 # regex on the path; default every path
 * status_codes = "200,201"        # default every status
 * filters = [
 *     "sub_filter 'http://old.example.com' 'https://new.example.com' g",
 *     "subs_filter '&lt;title&gt;(.*?)&lt;/title&gt;' '&lt;title&gt;$1 - Docs&lt;/title&gt;' i",
 * ]
 * </pre>
 *
 * The filter is immutable and thread-safe; a response's replacers are a session attribute.
 */
public final class SubFilterFactory implements FilterFactory {

    public static final String CATEGORY = "sub_filter";
    /** Longest match found across a chunk boundary, and how much a chunk's tail may be held back. */
    public static final int WINDOW = 4096;

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        List<String> texts = config.stringList("filters");
        if (texts.isEmpty()) {
            throw config.invalid("filters", "is required: at least one sub_filter or subs_filter rule");
        }
        List<SubFilterRule> rules = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                rules.add(SubFilterRule.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw config.invalid("filters[" + i + "]", e.getMessage());
            }
        }
        Pattern path = null;
        if (config.has("path")) {
            try {
                path = Pattern.compile(config.string("path"));
            } catch (PatternSyntaxException e) {
                throw config.invalid("path", "not a regular expression: " + e.getDescription());
            }
        }
        Set<Integer> statuses = null;
        String codes = config.string("status_codes", "").trim();
        if (!codes.isEmpty()) {
            statuses = new HashSet<>();
            for (String c : codes.split(",")) {
                try {
                    int s = Integer.parseInt(c.trim());
                    if (s < 100 || s > 599) {
                        throw new NumberFormatException();
                    }
                    statuses.add(s);
                } catch (NumberFormatException e) {
                    throw config.invalid("status_codes", "\"" + c.trim() + "\" is not a status code (100-599)");
                }
            }
        }
        return new SubFilter(List.copyOf(rules), path, statuses == null ? null : Set.copyOf(statuses),
                "sub_filter." + config.name());
    }

    /** Immutable; thread-safe. */
    static final class SubFilter implements HttpFilter {
        private final List<SubFilterRule> rules;
        private final Pattern path;
        private final Set<Integer> statuses;
        private final String attribute;

        SubFilter(List<SubFilterRule> rules, Pattern path, Set<Integer> statuses, String attribute) {
            this.rules = rules;
            this.path = path;
            this.statuses = statuses;
            this.attribute = attribute;
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            if (statuses != null && !statuses.contains(response.status())) {
                return;
            }
            if (path != null && !path.matcher(session.request().path()).find()) {
                return;
            }
            String encoding = response.headers().get("Content-Encoding");
            if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
                return; // opaque bytes: nothing would match
            }
            List<StreamingReplacer> chain = new ArrayList<>(rules.size());
            for (SubFilterRule r : rules) {
                chain.add(new StreamingReplacer(r, WINDOW));
            }
            response.setChunked();
            response.headers().removeAll("ETag");
            response.headers().removeAll("Accept-Ranges");
            session.setAttribute(attribute, chain);
        }

        @Override
        @SuppressWarnings("unchecked")
        public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
            if (!(session.attribute(attribute) instanceof List<?> chain)) {
                return chunk;
            }
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            String text = new String(b, StandardCharsets.ISO_8859_1);
            for (StreamingReplacer r : (List<StreamingReplacer>) chain) {
                text = r.feed(text, endOfStream);
            }
            if (endOfStream) {
                session.setAttribute(attribute, null);
            }
            return text.isEmpty() ? null : ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
