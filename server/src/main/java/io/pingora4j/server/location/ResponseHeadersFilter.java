package io.pingora4j.server.location;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.config.HeaderRule;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.Session;
import java.util.List;

/**
 * A location's {@code headers_remove}, {@code headers_set} and {@code headers_add}, applied in that
 * order to the response sent to the client (also to responses the proxy or a plugin answered).
 *
 * <p>These are response headers: the seed's example removes {@code Server} and {@code X-Powered-By}
 * and sets {@code X-Frame-Options} and {@code X-Content-Type-Options}, which only mean something on
 * a response. Request headers for the upstream are {@code proxy_set_headers} /
 * {@code proxy_add_headers} ({@link ProxyHeadersFilter}). Values are literal (no variables).
 *
 * <p>Immutable and thread-safe.
 */
public final class ResponseHeadersFilter implements HttpFilter {

    private final String[] remove;
    private final HeaderRule[] set;
    private final HeaderRule[] add;

    public ResponseHeadersFilter(List<String> remove, List<HeaderRule> set, List<HeaderRule> add) {
        this.remove = remove.toArray(new String[0]);
        this.set = set.toArray(new HeaderRule[0]);
        this.add = add.toArray(new HeaderRule[0]);
    }

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        HeaderBlock headers = response.headers();
        for (String name : remove) {
            headers.removeAll(name);
        }
        for (HeaderRule r : set) {
            headers.set(r.name(), r.value().source());
        }
        for (HeaderRule r : add) {
            headers.add(r.name(), r.value().source());
        }
    }

    @Override
    public String toString() {
        return "response_headers[remove=" + List.of(remove) + " set=" + List.of(set) + " add=" + List.of(add) + "]";
    }
}
