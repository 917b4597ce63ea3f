package io.pingora4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HttpPeerTest {

    @Test
    void caFileIsKeptAndAbsentByDefault() {
        assertNull(HttpPeer.builder("o.test", 443).tls(true).build().caFile());
        assertEquals("/etc/ca.pem", HttpPeer.builder("o.test", 443).tls(true).caFile("/etc/ca.pem").build().caFile());
    }

    @Test
    void peersTrustingDifferentCasDoNotSharePooledConnections() {
        HttpPeer system = HttpPeer.builder("o.test", 443).tls(true).build();
        HttpPeer own = HttpPeer.builder("o.test", 443).tls(true).caFile("/etc/ca.pem").build();
        assertNotEquals(system.poolKey(), own.poolKey());
    }

    @Test
    void anUnverifiedConnectionIsNeverPooledWithVerifiedOnes() {
        HttpPeer verified = HttpPeer.builder("o.test", 443).tls(true).build();
        HttpPeer unverified = HttpPeer.builder("o.test", 443).tls(true).verifyCert(false).build();
        assertNotEquals(verified.poolKey(), unverified.poolKey());
    }

    @Test
    void identicalPeersShareTheirPoolKey() {
        assertEquals(HttpPeer.builder("o.test", 443).tls(true).sni("x.test").caFile("/ca.pem").build().poolKey(),
                HttpPeer.builder("o.test", 443).tls(true).sni("x.test").caFile("/ca.pem").build().poolKey());
    }

    @Test
    void aBlankCaFileIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HttpPeer.builder("o.test", 443).caFile(" "));
    }
}
