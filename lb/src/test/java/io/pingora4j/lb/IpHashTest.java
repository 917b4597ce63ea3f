package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpHashTest {

    /** nginx's formula, written out for one round: h = 89, then h = (h*113 + b) % 6271 per byte. */
    private static int nginxFirstRound(int... bytes) {
        int h = 89;
        for (int b : bytes) {
            h = (h * 113 + b) % 6271;
        }
        return h;
    }

    private static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    @Test
    void sameClientAlwaysGetsSameBackend() {
        IpHash s = new IpHash(Fixtures.set(1, 1, 1, 1));
        int first = s.select(v4(192, 168, 7, 20), 0L);
        for (int i = 0; i < 10; i++) {
            assertEquals(first, s.select(v4(192, 168, 7, 20), 0L));
        }
    }

    @Test
    void ipv4UsesFirstThreeOctetsLikeNginx() {
        IpHash s = new IpHash(Fixtures.set(1, 1, 1, 1, 1));
        int expected = nginxFirstRound(192, 168, 7) % 5;
        for (int last = 0; last < 256; last += 17) {
            assertEquals(expected, s.select(v4(192, 168, 7, last), 0L));
        }
    }

    @Test
    void weightsAreWalkedInConfigurationOrder() {
        IpHash s = new IpHash(Fixtures.set(2, 3, 1));
        int w = nginxFirstRound(10, 1, 2) % 6;
        int expected = w < 2 ? 0 : w < 5 ? 1 : 2;
        assertEquals(expected, s.select(v4(10, 1, 2, 3), 0L));
    }

    @Test
    void ipv6UsesAllSixteenBytes() throws Exception {
        IpHash s = new IpHash(Fixtures.set(1, 1, 1, 1, 1, 1, 1));
        Set<Integer> picks = new HashSet<>();
        for (int last = 0; last < 40; last++) {
            byte[] a = InetAddress.getByName("2001:db8::").getAddress();
            a[15] = (byte) last;
            picks.add(s.select(a, 0L));
        }
        assertTrue(picks.size() > 1, "the last byte of an IPv6 address must matter");
    }

    @Test
    void downBackendRehashesLikeNginx() {
        BackendSet set = Fixtures.set(1, 1, 1, 1, 1);
        IpHash s = new IpHash(set);
        int first = nginxFirstRound(172, 16, 9) % 5;
        set.health(first).forceDown();
        int second = nginxFirstRound(172, 16, 9, 172, 16, 9);
        int expected = second % 5;
        int h = second;
        while (expected == first) { // nginx keeps feeding the address until it lands elsewhere
            h = (((h * 113 + 172) % 6271 * 113 + 16) % 6271 * 113 + 9) % 6271;
            expected = h % 5;
        }
        assertEquals(expected, s.select(v4(172, 16, 9, 1), 0L));
    }

    @Test
    void otherClientsStayPutWhenOneBackendGoesDown() {
        BackendSet set = Fixtures.set(1, 1, 1, 1);
        IpHash s = new IpHash(set);
        int[] before = new int[256];
        for (int i = 0; i < 256; i++) {
            before[i] = s.select(v4(10, i, 0, 1), 0L);
        }
        set.health(2).forceDown();
        for (int i = 0; i < 256; i++) {
            int now = s.select(v4(10, i, 0, 1), 0L);
            assertNotEquals(2, now);
            if (before[i] != 2) {
                assertEquals(before[i], now);
            }
        }
    }

    @Test
    void nonIpClientHashesAsZeroPseudoAddress() {
        IpHash s = new IpHash(Fixtures.set(1, 1, 1));
        assertEquals(nginxFirstRound(0, 0, 0) % 3, s.select(Fixtures.address(null)));
    }

    @Test
    void fallsBackToNextEligibleWhenRehashingGivesUp() {
        BackendSet set = Fixtures.set(1, 1, 1);
        IpHash s = new IpHash(set);
        set.health(0).forceDown();
        set.health(1).forceDown();
        assertEquals(2, s.select(v4(1, 2, 3, 4), 0L));
        set.health(2).forceDown();
        assertEquals(Selector.NONE, s.select(v4(1, 2, 3, 4), 0L));
    }

    @Test
    void inetAddressConvenienceMatchesBytes() throws Exception {
        IpHash s = new IpHash(Fixtures.set(1, 1, 1));
        assertEquals(s.select(v4(8, 8, 4, 4), 0L), s.select(InetAddress.getByName("8.8.4.4")));
    }

    @Test
    void wrongAddressLengthIsRefused() {
        IpHash s = new IpHash(Fixtures.set(1, 1));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.select(new byte[5], 0L));
        assertTrue(e.getMessage().contains("5"));
    }
}
