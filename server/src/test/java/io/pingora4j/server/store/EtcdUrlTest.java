package io.pingora4j.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd store URLs as Pingap writes them; bad ones refused at load as "url: key: reason". */
class EtcdUrlTest {

    @Test
    void readsEndpointsPrefixAndTimeouts() throws ConfigException {
        EtcdUrl u = EtcdUrl.parse("etcd://127.0.0.1:2379,127.0.0.2:2379/pingora4j/?timeout=3s&connect_timeout=500ms");
        assertEquals(List.of("127.0.0.1:2379", "127.0.0.2:2379"), u.endpoints());
        assertEquals("/pingora4j", u.prefix());
        assertEquals(Duration.ofSeconds(3), u.timeout());
        assertEquals(Duration.ofMillis(500), u.connectTimeout());
        assertFalse(u.tls());
    }

    @Test
    void readsUserAndPasswordFromTheAuthorityOrTheQuery() throws ConfigException {
        EtcdUrl a = EtcdUrl.parse("etcd://root:s3cret@127.0.0.1:2379/p");
        EtcdUrl b = EtcdUrl.parse("etcd://127.0.0.1:2379/p?user=root&password=s3cret");
        assertEquals("root", a.user());
        assertEquals("s3cret", a.password());
        assertEquals(a.user(), b.user());
        assertEquals(a.password(), b.password());
        assertEquals("etcd://127.0.0.1:2379/p", a.describe());
    }

    @Test
    void aCaFileMakesItHttps() throws ConfigException {
        assertTrue(EtcdUrl.parse("etcd://127.0.0.1:2379/p?ca_file=/etc/ca.pem").tls());
    }

    @Test
    void refusesAMissingPrefix() {
        ConfigException e = assertThrows(ConfigException.class, () -> EtcdUrl.parse("etcd://127.0.0.1:2379"));
        assertEquals("prefix", e.problems().get(0).key());
    }

    @Test
    void refusesABadPortNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> EtcdUrl.parse("etcd://127.0.0.1:x/p"));
        assertEquals("port", e.problems().get(0).key());
    }

    @Test
    void refusesABadTimeoutNamingIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EtcdUrl.parse("etcd://127.0.0.1:2379/p?timeout=soon"));
        assertEquals("timeout", e.problems().get(0).key());
    }

    @Test
    void refusesAnUnknownParameter() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EtcdUrl.parse("etcd://127.0.0.1:2379/p?tiemout=1s"));
        assertEquals("tiemout", e.problems().get(0).key());
    }

    @Test
    void refusesACertificateWithoutItsKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EtcdUrl.parse("etcd://127.0.0.1:2379/p?cert_file=/c.pem"));
        assertEquals("key_file", e.problems().get(0).key());
    }

    @Test
    void aProblemNeverShowsThePassword() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EtcdUrl.parse("etcd://root:s3cret@127.0.0.1:2379/p?timeout=x"));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
}
