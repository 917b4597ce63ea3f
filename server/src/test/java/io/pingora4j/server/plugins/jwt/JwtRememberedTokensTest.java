package io.pingora4j.server.plugins.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.PluginConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The jwt filter's memory of verified tokens ({@link VerifiedTokens}): a token seen again is let
 * through without a new verification, but only the very same bytes, and never past its exp.
 */
class JwtRememberedTokensTest {

    private static final String SECRET = JwtEndToEndTest.SECRET;

    private static JwtFilter filter(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("category", "jwt");
        m.put("header", "Authorization");
        m.put("secret", SECRET);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove((String) kv[i]);
            } else {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return (JwtFilter) new JwtFilterFactory().create(new PluginConfig("jwt", m));
    }

    private static FakeSession bearer(String token) {
        return FakeSession.parse("GET /api HTTP/1.1\nHost: x\nAuthorization: Bearer " + token);
    }

    private static String token(long expOffsetSeconds) throws Exception {
        return JwtEndToEndTest.sign(JWSAlgorithm.HS256, new MACSigner(SECRET), null, JwtEndToEndTest.claims(expOffsetSeconds));
    }

    @Test
    void aVerifiedTokenIsRememberedOnceAndLetThroughAgain() throws Exception {
        JwtFilter f = filter();
        String t = token(60);

        assertEquals(Action.CONTINUE, f.requestFilter(bearer(t)));
        assertEquals(Action.CONTINUE, f.requestFilter(bearer(t)));
        assertEquals(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: x\nAuthorization: bearer   " + t + "  ")));

        assertEquals(1, f.rememberedTokens());
    }

    @Test
    void aTokenDifferingFromARememberedOneInOneSignatureByteIsVerifiedAndRefused() throws Exception {
        JwtFilter f = filter();
        String t = token(60);
        f.requestFilter(bearer(t));
        // a character inside the signature (the last one also holds padding bits base64url ignores)
        int at = t.length() - 10;
        String forged = t.substring(0, at) + (t.charAt(at) == 'A' ? 'z' : 'A') + t.substring(at + 1);

        FakeSession s = bearer(forged);
        f.requestFilter(s);

        assertEquals("Jwt authorization is invalid", s.respondedBody());
        assertEquals(1, f.rememberedTokens());
    }

    @Test
    void aRememberedTokenIsRefusedOnceExpired() throws Exception {
        JwtFilter f = filter("leeway", "0s");
        String expired = token(-5);

        FakeSession first = bearer(expired);
        f.requestFilter(first);
        FakeSession again = bearer(expired);
        f.requestFilter(again);

        assertEquals(1, f.rememberedTokens(), "its signature verified: remembered with its exp");
        assertEquals("Jwt authorization is expired", first.respondedBody());
        assertEquals("Jwt authorization is expired", again.respondedBody());
    }

    @Test
    void aTokenThatFailsVerificationIsNotRemembered() throws Exception {
        JwtFilter f = filter();
        String other = JwtEndToEndTest.sign(JWSAlgorithm.HS256, new MACSigner("another secret of thirty-two byte"), null,
                JwtEndToEndTest.claims(60));

        f.requestFilter(bearer(other));
        f.requestFilter(bearer("abc.def"));

        assertEquals(0, f.rememberedTokens());
    }

    @Test
    void aTokenFromACookieIsRememberedToo() throws Exception {
        JwtFilter f = filter("header", null, "cookie", "jwt");
        String t = token(60);

        FakeSession s = FakeSession.parse("GET / HTTP/1.1\nHost: x\nCookie: a=b; jwt=" + t);
        assertEquals(Action.CONTINUE, f.requestFilter(s));
        assertEquals(Action.CONTINUE, f.requestFilter(FakeSession.parse("GET / HTTP/1.1\nHost: x\nCookie: jwt=" + t)));

        assertEquals(1, f.rememberedTokens());
    }
}
