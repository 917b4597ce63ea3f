package io.pingora4j.server.plugins.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Store URLs, checked at load without connecting. */
class RedisCounterStoreTest {

    @Test
    void acceptsHostPortAndDatabase() {
        assertNull(RedisCounterStore.problem("redis://127.0.0.1:6379/2"));
    }

    @Test
    void acceptsAPasswordWithoutAUser() {
        assertNull(RedisCounterStore.problem("redis://:secret@127.0.0.1:6379/0"));
    }

    @Test
    void acceptsSentinel() {
        assertNull(RedisCounterStore.problem("redis-sentinel://127.0.0.1:26379,127.0.0.2:26379/0#mymaster"));
    }

    @Test
    void acceptsClusterSeedNodes() {
        assertNull(RedisCounterStore.problem("redis-cluster://:secret@127.0.0.1:7000,127.0.0.1:7001"));
    }

    @Test
    void refusesAClusterSeedWithAMalformedPort() {
        assertTrue(RedisCounterStore.problem("redis-cluster://127.0.0.1:7000,127.0.0.1:x") != null);
    }

    @Test
    void describesAClusterBySeedsWithoutItsPassword() {
        RedisCounterStore s = RedisCounterStore.of("redis-cluster://:secret@127.0.0.1:7000,127.0.0.1:7001",
                Duration.ofMillis(100));
        try {
            assertEquals("redis-cluster://127.0.0.1:7000,127.0.0.1:7001", s.describe());
        } finally {
            s.close();
        }
    }

    @Test
    void refusesAnotherScheme() {
        assertTrue(RedisCounterStore.problem("http://127.0.0.1:6379").startsWith("expected redis://"));
    }

    @Test
    void refusesAMalformedPort() {
        assertTrue(RedisCounterStore.problem("redis://127.0.0.1:port/0") != null);
    }

    @Test
    void describesTheStoreWithoutItsPassword() {
        RedisCounterStore s = RedisCounterStore.of("redis://:secret@127.0.0.1:6390/3", Duration.ofMillis(100));
        try {
            assertEquals("redis://127.0.0.1:6390/3", s.describe());
        } finally {
            s.close();
        }
    }
}
