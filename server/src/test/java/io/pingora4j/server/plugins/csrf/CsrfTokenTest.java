package io.pingora4j.server.plugins.csrf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.FakeSession;
import io.pingora4j.spi.PluginConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token's lifetime, on a clock the test moves. */
class CsrfTokenTest {

    @Test
    void aTokenIsValidUntilItsTtlAndRefusedAfter() {
        AtomicLong now = new AtomicLong(1_700_000_000L);
        CsrfFilterFactory.CsrfFilter f = (CsrfFilterFactory.CsrfFilter) new CsrfFilterFactory().create(
                new PluginConfig("c", Map.of("category", "csrf", "token_path", "/t", "key", "k", "ttl", "60s")), now::get);
        FakeSession s = FakeSession.get("/t");
        f.requestFilter(s);
        String cookie = s.response().headers().get("Set-Cookie");
        String token = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));

        now.addAndGet(60);
        assertTrue(f.valid(token));
        now.addAndGet(1);
        assertFalse(f.valid(token));
    }
}
