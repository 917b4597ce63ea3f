package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class KetamaRingTest {

    /**
     * A slow, obviously literal reading of nginx's hash module: build the full byte string
     * host NUL port prev(LE) for every point, hash it with java.util.zip.CRC32, sort point objects,
     * drop equal hashes after the first, and look keys up by linear scan.
     */
    static final class ReferenceRing {
        record Point(long hash, int order, int owner) {
        }

        final List<Point> points = new ArrayList<>();

        ReferenceRing(List<Backend> backends) {
            int order = 0;
            for (int b = 0; b < backends.size(); b++) {
                String server = backends.get(b).address();
                String host;
                String port;
                int colon = server.lastIndexOf(':');
                if (server.toLowerCase().startsWith("unix:")) {
                    host = server.substring(5);
                    port = "";
                } else if (colon >= 0 && server.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                    host = server.substring(0, colon);
                    port = server.substring(colon + 1);
                } else {
                    host = server;
                    port = "";
                }
                long prev = 0;
                for (int k = 0; k < backends.get(b).weight() * 160; k++) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    bytes.writeBytes(host.getBytes(StandardCharsets.UTF_8));
                    bytes.write(0);
                    bytes.writeBytes(port.getBytes(StandardCharsets.UTF_8));
                    bytes.write((int) (prev & 0xFF));
                    bytes.write((int) (prev >> 8 & 0xFF));
                    bytes.write((int) (prev >> 16 & 0xFF));
                    bytes.write((int) (prev >> 24 & 0xFF));
                    CRC32 crc = new CRC32();
                    crc.update(bytes.toByteArray());
                    long hash = crc.getValue();
                    points.add(new Point(hash, order++, b));
                    prev = hash;
                }
            }
            points.sort(Comparator.comparingLong(Point::hash).thenComparingInt(Point::order));
            List<Point> unique = new ArrayList<>();
            for (Point p : points) {
                if (unique.isEmpty() || unique.get(unique.size() - 1).hash() != p.hash()) {
                    unique.add(p);
                }
            }
            points.clear();
            points.addAll(unique);
        }

        int ownerOf(String key) {
            CRC32 crc = new CRC32();
            crc.update(key.getBytes(StandardCharsets.UTF_8));
            long h = crc.getValue();
            for (Point p : points) {
                if (p.hash() >= h) {
                    return p.owner();
                }
            }
            return points.get(0).owner();
        }
    }

    private static final List<Backend> MIXED = List.of(
            Backend.of("10.0.0.1:8080", 1),
            Backend.of("10.0.0.2:8080", 3),
            Backend.of("[2001:db8::1]:443", 2),
            Backend.parse("api.internal", 80),
            Backend.of("10.0.0.5:9000", 1));

    @Test
    void ringHasWeightTimes160PointsWithoutCollisions() {
        KetamaRing ring = new KetamaRing(MIXED);
        assertEquals((1 + 3 + 2 + 1 + 1) * 160, ring.pointCount());
        for (int i = 1; i < ring.pointCount(); i++) {
            assertTrue(Integer.compareUnsigned(ring.hashAt(i - 1), ring.hashAt(i)) < 0);
        }
    }

    @Test
    void pointsEqualReferenceImplementation() {
        KetamaRing ring = new KetamaRing(MIXED);
        ReferenceRing ref = new ReferenceRing(MIXED);
        assertEquals(ref.points.size(), ring.pointCount());
        for (int i = 0; i < ring.pointCount(); i++) {
            assertEquals(ref.points.get(i).hash(), ring.hashAt(i) & 0xFFFF_FFFFL, "point " + i);
            assertEquals(ref.points.get(i).owner(), ring.ownerAt(i), "owner of point " + i);
        }
    }

    @Test
    void keyLookupsEqualReferenceImplementation() {
        KetamaRing ring = new KetamaRing(MIXED);
        ReferenceRing ref = new ReferenceRing(MIXED);
        for (int i = 0; i < 3000; i++) {
            String key = "user-" + i;
            assertEquals(ref.ownerOf(key), ring.ownerOfKey(key), key);
        }
    }

    @Test
    void knownKeysMapToKnownServers() {
        // pinned from ReferenceRing; a change here means the ring layout changed
        List<Backend> three = List.of(Backend.of("10.0.0.1:80"), Backend.of("10.0.0.2:80"), Backend.of("10.0.0.3:80"));
        KetamaRing ring = new KetamaRing(three);
        ReferenceRing ref = new ReferenceRing(three);
        String[][] expected = {
            {"/", "1"}, {"/index.html", "0"}, {"alice", "2"}, {"bob", "2"},
            {"192.168.1.10", "1"}, {"2001:db8::42", "2"},
        };
        for (String[] e : expected) {
            assertEquals(Integer.parseInt(e[1]), ref.ownerOf(e[0]), "reference, key " + e[0]);
            assertEquals(Integer.parseInt(e[1]), ring.ownerOfKey(e[0]), "ring, key " + e[0]);
        }
    }

    @Test
    void hostAndPortSplitAtLastColonOnlyBeforeDigits() {
        // "[::1]:80" keeps its brackets as host, like nginx's server string
        assertEquals(base("[::1]", "80"), KetamaRing.baseHash("[::1]:80"));
        assertEquals(base("api.internal", ""), KetamaRing.baseHash("api.internal"));
        assertEquals(base("host:abc", ""), KetamaRing.baseHash("host:abc"));
        assertEquals(base("/tmp/app.sock", ""), KetamaRing.baseHash("unix:/tmp/app.sock"));
        assertEquals(base("host", ""), KetamaRing.baseHash("host:"));
    }

    private static int base(String host, String port) {
        byte[] h = host.getBytes(StandardCharsets.UTF_8);
        byte[] p = port.getBytes(StandardCharsets.UTF_8);
        int crc = Crc32.update(Crc32.INIT, h, 0, h.length);
        crc = Crc32.update(crc, 0);
        return Crc32.update(crc, p, 0, p.length);
    }

    @Test
    void removingOneOfNBackendsMovesOnlyItsKeys() {
        int n = 8;
        List<Backend> all = Fixtures.backends(1, 1, 1, 1, 1, 1, 1, 1);
        List<Backend> without = new ArrayList<>(all);
        Backend removed = without.remove(3);
        KetamaRing before = new KetamaRing(all);
        KetamaRing after = new KetamaRing(without);
        int keys = 20_000;
        int moved = 0;
        for (int i = 0; i < keys; i++) {
            String key = "session-" + i;
            Backend was = all.get(before.ownerOfKey(key));
            Backend now = without.get(after.ownerOfKey(key));
            if (was != removed) {
                assertEquals(was, now, "key " + key + " moved although its backend stayed");
            } else {
                moved++;
            }
        }
        double fraction = moved / (double) keys;
        assertTrue(fraction <= 1.0 / n + 0.05, "moved " + fraction);
    }

    @Test
    void markingBackendDownWalksToSameBackendAsRemovingIt() {
        List<Backend> all = Fixtures.backends(1, 2, 1, 1, 3);
        BackendSet set = new BackendSet(all);
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("path"));
        List<Backend> without = new ArrayList<>(all);
        without.remove(1);
        KetamaRing after = new KetamaRing(without);
        set.health(1).forceDown();
        for (int i = 0; i < 5000; i++) {
            String key = "/item/" + i;
            int picked = selector.select(Fixtures.path(key));
            assertEquals(without.get(after.ownerOfKey(key)), set.backend(picked), key);
        }
    }

    @Test
    void consistentHashReturnsNoneWhenAllDown() {
        BackendSet set = Fixtures.set(1, 1);
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("path"));
        set.health(0).forceDown();
        set.health(1).forceDown();
        assertEquals(Selector.NONE, selector.select(Fixtures.path("/x")));
    }

    @Test
    void consistentHashSkipsTriedBackendAndKeepsOthersSticky() {
        BackendSet set = Fixtures.set(1, 1, 1);
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("header:X-User"));
        RequestKeyView alice = Fixtures.header("x-user", "alice");
        int first = selector.select(alice);
        int retry = selector.select(alice, Selector.markTried(0L, first));
        assertTrue(retry != first && retry != Selector.NONE);
        assertEquals(first, selector.select(alice));
    }

    @Test
    void absentKeyFallsBackToWeightedRoundRobin() {
        BackendSet set = Fixtures.set(1, 2);
        ConsistentHash selector = new ConsistentHash(set, HashKey.parse("header:X-User"));
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            picks.append(selector.select(new RequestKeyView() { }));
        }
        assertEquals("101101", picks.toString());
    }
}
