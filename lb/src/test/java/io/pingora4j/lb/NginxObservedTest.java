package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Picks recorded from a real nginx (1.22.1, Debian) with one worker, so these algorithms are checked
 * against nginx itself and not only against our reading of its source:
 * <pre>
 *   upstream ch  { hash $arg_k consistent; server 127.0.0.1:9001; server 127.0.0.1:9002 weight=3;
 *                  server 127.0.0.1:9003 weight=2; }
 *   upstream wrr { server 127.0.0.1:9001 weight=5; server 127.0.0.1:9002; server 127.0.0.1:9003; }
 *   upstream iph { ip_hash; server 127.0.0.1:9001; server 127.0.0.1:9002 weight=2; server 127.0.0.1:9003; }
 * </pre>
 * each server answering its index; clients for ip_hash bound to different 127/8 source addresses.
 * The "down" variants are the same upstreams with {@code down} on the second (ch) or first (iph) server.
 */
class NginxObservedTest {

    @Test
    void consistentHashMatchesNginx() {
        BackendSet set = new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 1), Backend.of("127.0.0.1:9002", 3), Backend.of("127.0.0.1:9003", 2)));
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("query:k"));
        String observed = "/=1;/index.html=1;alice=0;bob=1;192.168.1.10=2;user-1=2;user-2=0;user-3=0;user-4=0;"
                + "user-5=1;user-6=1;user-7=2;user-8=1;user-9=0;user-10=0;user-11=1;user-12=1";
        for (String pair : observed.split(";")) {
            int eq = pair.lastIndexOf('=');
            String key = pair.substring(0, eq);
            RequestKeyView request = new RequestKeyView() {
                @Override
                public CharSequence query(String name) {
                    return "k".equals(name) ? key : null;
                }
            };
            assertEquals(Integer.parseInt(pair.substring(eq + 1)), selector.select(request), "key \"" + key + "\"");
        }
    }

    @Test
    void consistentHashWalksPastDownBackendLikeNginx() {
        BackendSet set = new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 1), Backend.of("127.0.0.1:9002", 3), Backend.of("127.0.0.1:9003", 2)));
        set.health(1).forceDown();
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("query:k"));
        String observed = "/=2;/index.html=2;alice=0;bob=0;192.168.1.10=2;user-1=2;user-2=0;user-3=0;user-4=0;"
                + "user-5=0;user-6=2;user-7=2;user-8=0;user-9=0;user-10=0;user-11=2;user-12=2";
        for (String pair : observed.split(";")) {
            int eq = pair.lastIndexOf('=');
            String key = pair.substring(0, eq);
            assertEquals(Integer.parseInt(pair.substring(eq + 1)), selector.select(query(key)), "key \"" + key + "\"");
        }
    }

    private static RequestKeyView query(String value) {
        return new RequestKeyView() {
            @Override
            public CharSequence query(String name) {
                return "k".equals(name) ? value : null;
            }
        };
    }

    @Test
    void consistentHashWithEmptyKeyRoundRobinsLikeNginx() {
        BackendSet set = new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 1), Backend.of("127.0.0.1:9002", 3), Backend.of("127.0.0.1:9003", 2)));
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("query:k"));
        RequestKeyView empty = new RequestKeyView() {
            @Override
            public CharSequence query(String name) {
                return "";
            }
        };
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 13; i++) {
            picks.append(selector.select(empty));
        }
        // nginx answered the first "?k=" with 1, then twelve more with 201211201211
        assertEquals("1201211201211", picks.toString());
    }

    @Test
    void smoothWeightedRoundRobinMatchesNginx() {
        Selector s = new SmoothWeightedRoundRobin(new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 5), Backend.of("127.0.0.1:9002", 1), Backend.of("127.0.0.1:9003", 1))));
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            picks.append(s.select(null));
        }
        assertEquals("00102000010200", picks.toString());
    }

    @Test
    void ipHashMatchesNginx() {
        IpHash s = new IpHash(new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 1), Backend.of("127.0.0.1:9002", 2), Backend.of("127.0.0.1:9003", 1))));
        int[][] observed = {
            {127, 0, 0, 1, 0}, {127, 0, 1, 1, 1}, {127, 0, 2, 1, 1}, {127, 0, 3, 1, 2},
            {127, 1, 0, 1, 1}, {127, 2, 3, 1, 1}, {127, 9, 9, 1, 1}, {127, 200, 1, 1, 1},
            {127, 0, 5, 1, 1}, {127, 0, 6, 1, 1}, {127, 0, 7, 1, 2},
        };
        for (int[] o : observed) {
            byte[] address = {(byte) o[0], (byte) o[1], (byte) o[2], (byte) o[3]};
            assertEquals(o[4], s.select(address, 0L), o[0] + "." + o[1] + "." + o[2] + "." + o[3]);
        }
    }

    @Test
    void ipHashRehashesPastDownBackendLikeNginx() {
        BackendSet set = new BackendSet(List.of(
                Backend.of("127.0.0.1:9001", 1), Backend.of("127.0.0.1:9002", 2), Backend.of("127.0.0.1:9003", 1)));
        set.health(0).forceDown();
        IpHash s = new IpHash(set);
        int[][] observed = {
            {127, 0, 0, 1, 1}, {127, 0, 1, 1, 1}, {127, 0, 2, 1, 1}, {127, 0, 3, 1, 2}, {127, 1, 0, 1, 1},
            {127, 2, 3, 1, 1}, {127, 9, 9, 1, 1}, {127, 200, 1, 1, 1}, {127, 0, 5, 1, 1}, {127, 0, 6, 1, 1},
            {127, 0, 7, 1, 2},
        };
        for (int[] o : observed) {
            byte[] address = {(byte) o[0], (byte) o[1], (byte) o[2], (byte) o[3]};
            assertEquals(o[4], s.select(address, 0L), o[0] + "." + o[1] + "." + o[2] + "." + o[3]);
        }
    }
}
