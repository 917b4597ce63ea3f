package com.example.headerstamp;

import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A third-party pingora4j plugin, built against {@code filters-spi} alone: category
 * {@code header_stamp}.
 *
 * <pre>
 * [plugins.stamp]
 * category = "header_stamp"
 * header = "X-Stamped-By"                  # default X-Stamped-By
 * value = "edge-1"                         # required
 * deny_user_agents = ["BadBot", "curl/"]   # optional: 403 when the User-Agent contains one (any case)
 * </pre>
 *
 * Every response to the client gets {@code header: value}, the 403 answers too.
 */
public final class HeaderStampFactory implements FilterFactory {

    public static final String CATEGORY = "header_stamp";

    /** ServiceLoader needs a public no-argument constructor. */
    public HeaderStampFactory() {
    }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String header = config.string("header", "X-Stamped-By").trim();
        if (header.isEmpty() || !isToken(header)) {
            throw config.invalid("header", "\"" + header + "\" is not a header name");
        }
        String value = config.string("value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw config.invalid("value", "must not hold CR, LF or NUL");
            }
        }
        List<String> deny = new ArrayList<>();
        List<String> configured = config.stringList("deny_user_agents");
        for (int i = 0; i < configured.size(); i++) {
            String s = configured.get(i).trim();
            if (s.isEmpty()) {
                throw config.invalid("deny_user_agents[" + i + "]", "must not be empty (it would match every client)");
            }
            deny.add(s.toLowerCase(Locale.ROOT));
        }
        return new HeaderStampFilter(header, value, deny);
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
