package io.pingora4j.server.admin;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Pingap's {@code admin} plugin: the admin API and web UI at {@code path} of the location it is on.
 *
 * <pre>
 * [plugins.admin]
 * category = "admin"
 * path = "/admin"
 * authorizations = ["YWRtaW46c2VjcmV0"]   # base64 of "admin:secret"; several allowed
 * ip_fail_limit = 10                       # failed logins before an address is blocked (0: never)
 * </pre>
 *
 * The API runs on a JDK HTTP server of its own on a loopback port (it may block: reading files,
 * waiting for a reload), started when the server first serves with the plugin; the plugin sends
 * its location's requests under {@code path} there as their upstream, with a per-process secret
 * the server requires, so nobody reaches it around the plugin. Closed (with {@link #close(HttpFilter)})
 * when a reload drops or changes the table. The loader refuses the plugin without
 * {@code authorizations} on a server listening beyond loopback.
 */
public final class AdminFilterFactory implements FilterFactory {

    public static final int DEFAULT_IP_FAIL_LIMIT = 10;

    @Override
    public String category() {
        return "admin";
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String path = config.string("path", "/");
        if (!path.startsWith("/")) {
            throw config.invalid("path", "expected a path starting with '/', got \"" + path + "\"");
        }
        List<String> auths = config.has("authorizations") ? config.stringList("authorizations") : List.of();
        for (int i = 0; i < auths.size(); i++) {
            checkAuthorization(config, i, auths.get(i));
        }
        int limit = config.integer("ip_fail_limit", DEFAULT_IP_FAIL_LIMIT);
        if (limit < 0) {
            throw config.invalid("ip_fail_limit", "expected 0 or more, got " + limit);
        }
        return new AdminFilter(path, auths, limit);
    }

    /** An authorization must be base64 of "user:password", as Pingap writes it. */
    static void checkAuthorization(PluginConfig config, int i, String value) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw config.invalid("authorizations[" + i + "]", "expected base64 of \"user:password\": " + e.getMessage());
        }
        if (decoded.indexOf(':') <= 0) {
            throw config.invalid("authorizations[" + i + "]", "expected base64 of \"user:password\" (no ':' in it)");
        }
    }

    @Override
    public void close(HttpFilter filter) {
        if (filter instanceof AdminFilter a) {
            a.close();
        }
    }

    /** The admin plugin at run time: see {@link AdminFilterFactory}. Thread-safe. */
    public static final class AdminFilter implements HttpFilter {

        /** The session attribute naming the peer a request goes to instead of the location's upstream. */
        public static final String PEER_ATTRIBUTE = "pingora4j.admin.peer";

        private final String prefix;
        private final AdminApi api;
        private final String secret;
        private AdminServer server;
        private volatile HttpPeer peer;
        private boolean closed;

        AdminFilter(String path, List<String> authorizations, int ipFailLimit) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            this.secret = HexFormat.of().formatHex(random);
            this.api = new AdminApi(path, authorizations, ipFailLimit, secret);
            this.prefix = api.prefix();
        }

        /** Serves with {@code backend} from now on; the first call starts the API's loopback server. Off the loops. */
        public synchronized void bind(AdminBackend backend) {
            api.bind(backend);
            if (server == null && !closed) {
                try {
                    server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), api);
                } catch (IOException e) {
                    throw new UncheckedIOException("admin plugin: cannot start its API server", e);
                }
                InetSocketAddress a = server.address();
                // pooled connections idle out before the JDK server's own 30 s; a write may wait for its reload
                peer = HttpPeer.builder(a.getAddress().getHostAddress(), a.getPort())
                        .connectTimeout(java.time.Duration.ofSeconds(5))
                        .idleTimeout(java.time.Duration.ofSeconds(10))
                        .readTimeout(java.time.Duration.ofSeconds(90))
                        .build();
            }
        }

        /** Where this instance's API server listens, or null before the first bind and once closed. */
        public synchronized InetSocketAddress apiAddress() {
            return server == null ? null : server.address();
        }

        @Override
        public Action requestFilter(Session session) {
            String path = session.request().path();
            if (!(path.equals(prefix) || path.startsWith(prefix + "/") || prefix.isEmpty())) {
                return Action.CONTINUE;
            }
            HttpPeer p = peer;
            if (p == null) {
                session.respond(503, "text/plain", "the admin is starting\n".getBytes(StandardCharsets.UTF_8));
                return Action.RESPONDED;
            }
            session.setAttribute(PEER_ATTRIBUTE, p);
            return Action.CONTINUE;
        }

        @Override
        public void upstreamRequestFilter(Session session, RequestHead upstreamRequest) {
            if (session.attribute(PEER_ATTRIBUTE) == null) {
                return;
            }
            upstreamRequest.headers().removeAll(AdminApi.SECRET_HEADER);
            upstreamRequest.headers().removeAll(AdminApi.CLIENT_HEADER);
            upstreamRequest.headers().add(AdminApi.SECRET_HEADER, secret);
            upstreamRequest.headers().add(AdminApi.CLIENT_HEADER, session.clientIp());
        }

        synchronized void close() {
            closed = true;
            peer = null;
            if (server != null) {
                server.close();
                server = null;
            }
        }
    }
}
