package io.pingora4j.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.server.plugins.basicauth.BasicAuthFilterFactory;
import io.pingora4j.server.plugins.combinedauth.CombinedAuthFilterFactory;
import io.pingora4j.server.plugins.cors.CorsFilterFactory;
import io.pingora4j.server.plugins.csrf.CsrfFilterFactory;
import io.pingora4j.server.plugins.iprestriction.IpRestrictionFilterFactory;
import io.pingora4j.server.plugins.jwt.JwtFilterFactory;
import io.pingora4j.server.plugins.keyauth.KeyAuthFilterFactory;
import io.pingora4j.server.plugins.redirect.RedirectFilterFactory;
import io.pingora4j.server.plugins.refererrestriction.RefererRestrictionFilterFactory;
import io.pingora4j.server.plugins.trafficsplitting.TrafficSplittingFilterFactory;
import io.pingora4j.server.plugins.uarestriction.UaRestrictionFilterFactory;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one request-phase plugin costs per request on its passing path: the filter's
 * {@code requestFilter} and {@code responseFilter} on a request that is let through, as the server's
 * chain calls them, with a reused parsed request ({@link BenchSession}). {@code none} is the
 * harness alone (a filter that does nothing), to subtract. Target: at most 1 µs for the auth and
 * rule plugins.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PluginChainBenchmark {

    @Param({"none", "basic_auth", "key_auth", "jwt", "jwt_new_token", "combined_auth", "ip_restriction", "ua_restriction",
        "referer_restriction", "csrf", "cors", "redirect", "traffic_splitting"})
    public String plugin;

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    /** Tokens the jwt filter has not remembered: more than its cache holds, cycled. */
    private static final int NEW_TOKENS = 1 << 16;
    private HttpFilter filter;
    private BenchSession session;
    /** jwt_new_token: one request per token, taken in turn; null for the other plugins. */
    private BenchSession[] sessions;
    private int next;
    private final ResponseHead response = new ResponseHead();

    @Setup
    public void setup() throws Exception {
        String base = "GET /api/orders?page=2 HTTP/1.1\nHost: example.com\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)"
                + "\nAccept: */*\nReferer: https://www.example.com/shop\nOrigin: https://app.example.com";
        switch (plugin) {
            case "none":
                filter = new HttpFilter() { };
                session = new BenchSession(base);
                break;
            case "basic_auth":
                filter = create(new BasicAuthFilterFactory(), "authorizations",
                        List.of(b64("alice:secret"), b64("bob:hunter2"), b64("carol:pa55")));
                session = new BenchSession(base + "\nAuthorization: Basic " + b64("carol:pa55"));
                break;
            case "key_auth":
                filter = create(new KeyAuthFilterFactory(), "header", "X-API-Key", "keys", List.of("KOXQaw", "GKvXY2", "Zt81aQ"));
                session = new BenchSession(base + "\nX-API-Key: Zt81aQ");
                break;
            case "jwt": {
                filter = create(new JwtFilterFactory(), "header", "Authorization", "secret", SECRET);
                SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("u-1")
                        .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
                jwt.sign(new MACSigner(SECRET));
                session = new BenchSession(base + "\nAuthorization: Bearer " + jwt.serialize());
                break;
            }
            case "jwt_new_token": {
                // the cost of a token seen for the first time: nimbus's parse and HMAC check, and
                // remembering it (65,536 tokens cycled through a cache of about 17,000)
                filter = create(new JwtFilterFactory(), "header", "Authorization", "secret", SECRET);
                MACSigner signer = new MACSigner(SECRET);
                sessions = new BenchSession[NEW_TOKENS];
                for (int i = 0; i < NEW_TOKENS; i++) {
                    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                            .subject("u-" + i).expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
                    jwt.sign(signer);
                    sessions[i] = new BenchSession(base + "\nAuthorization: Bearer " + jwt.serialize());
                }
                session = sessions[0];
                break;
            }
            case "combined_auth": {
                Map<String, Object> app = new LinkedHashMap<>();
                app.put("app_id", "pingap");
                app.put("secret", "123123");
                app.put("deviation", 3600L);
                filter = create(new CombinedAuthFilterFactory(), "authorizations", List.of(app));
                long ts = System.currentTimeMillis() / 1000;
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(("123123:" + ts).getBytes(StandardCharsets.UTF_8)));
                session = new BenchSession(base.replace("/api/orders?page=2", "/api/orders?app_id=pingap&ts=" + ts
                        + "&digest=" + digest));
                break;
            }
            case "ip_restriction":
                filter = create(new IpRestrictionFilterFactory(), "ip_list",
                        List.of("192.168.0.0/16", "2001:db8::/32", "10.0.0.0/8"));
                session = new BenchSession(base);
                break;
            case "ua_restriction":
                filter = create(new UaRestrictionFilterFactory(), "type", "deny", "ua_list",
                        List.of("go-http-client/1\\.1", "^python-requests/", "curl/", "(Twitterspider)/(\\d+)\\.(\\d+)"));
                session = new BenchSession(base);
                break;
            case "referer_restriction":
                filter = create(new RefererRestrictionFilterFactory(), "referer_list", List.of("example.com", "*.example.com"));
                session = new BenchSession(base);
                break;
            case "csrf":
                filter = create(new CsrfFilterFactory(), "token_path", "/csrf-token", "key", "WjrXUG47wu");
                session = new BenchSession(base);
                break;
            case "cors":
                filter = create(new CorsFilterFactory(), "allow_origin", "$http_origin", "allow_credentials", true,
                        "expose_headers", "X-Request-Id");
                session = new BenchSession(base);
                break;
            case "redirect":
                filter = create(new RedirectFilterFactory(), "http_to_https", false, "prefix", "/api");
                session = new BenchSession(base);
                break;
            case "traffic_splitting":
                filter = create(new TrafficSplittingFilterFactory(), "upstream", "v2", "weight", 10L);
                session = new BenchSession(base);
                break;
            default:
                throw new IllegalArgumentException(plugin);
        }
        session.reset();
        if (filter.requestFilter(session) != Action.CONTINUE || session.responded != 0) {
            throw new IllegalStateException(plugin + " did not let the benchmark's request through");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpFilter create(FilterFactory factory, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("category", factory.category());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return factory.create(new PluginConfig("bench", m));
    }

    @Benchmark
    public Object passingRequest() {
        if (sessions != null) {
            session = sessions[next++ & (NEW_TOKENS - 1)];
        }
        session.reset();
        response.reset();
        Action a = filter.requestFilter(session);
        filter.responseFilter(session, response);
        return a;
    }
}
