package com.example.headerstamp;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Refuses requests whose User-Agent contains a configured substring (403) and stamps a header on
 * every response. Immutable, so one instance serves every event loop at once.
 */
final class HeaderStampFilter implements HttpFilter {

    private static final byte[] FORBIDDEN = "forbidden\n".getBytes(StandardCharsets.US_ASCII);

    private final String header;
    private final String value;
    private final List<String> denyLowerCase;

    HeaderStampFilter(String header, String value, List<String> denyLowerCase) {
        this.header = header;
        this.value = value;
        this.denyLowerCase = List.copyOf(denyLowerCase);
    }

    @Override
    public Action requestFilter(Session session) {
        if (denyLowerCase.isEmpty()) {
            return Action.CONTINUE;
        }
        String ua = session.request().headers().get("User-Agent");
        if (ua == null) {
            return Action.CONTINUE;
        }
        String lower = ua.toLowerCase(Locale.ROOT);
        for (String needle : denyLowerCase) {
            if (lower.contains(needle)) {
                session.setAttribute("header_stamp.denied", needle);
                session.respond(403, "text/plain", FORBIDDEN);
                return Action.RESPONDED;
            }
        }
        return Action.CONTINUE;
    }

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        response.headers().set(header, value);
    }
}
