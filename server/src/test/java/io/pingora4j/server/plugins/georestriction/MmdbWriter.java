package io.pingora4j.server.plugins.georestriction;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small MaxMind DB file (format 2.0, as MaxMind documents it) for tests: an IPv6 search
 * tree of 24-bit records with IPv4 networks under {@code ::/96}, a data section of maps, strings,
 * unsigned integers and arrays, and the metadata block. Enough for a GeoIP2-Country-shaped test
 * database; networks must not overlap.
 */
final class MmdbWriter {

    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
        'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    private static final int RECORD_BITS = 24;

    /** A node of the search tree: each side is a Node, a data offset (Integer), or null (no data). */
    private static final class Node {
        final Object[] side = new Object[2];
        int number;
    }

    private final Node root = new Node();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final String databaseType;

    MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    /** Maps the network {@code cidr} ("1.2.3.0/24" or "2001:db8::/32") to {@code record}. */
    MmdbWriter insert(String cidr, Map<String, Object> record) throws Exception {
        int slash = cidr.indexOf('/');
        byte[] a = InetAddress.getByName(cidr.substring(0, slash)).getAddress(); // literals only: no lookup
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        byte[] bits = new byte[16];
        if (a.length == 4) {
            System.arraycopy(a, 0, bits, 12, 4); // IPv4 lives under ::/96 in an IPv6 tree
            prefix += 96;
        } else {
            bits = a;
        }
        int offset = data.size();
        encode(record, data);
        Node n = root;
        for (int i = 0; i < prefix - 1; i++) {
            int bit = (bits[i / 8] >> (7 - i % 8)) & 1;
            Object side = n.side[bit];
            if (side == null) {
                side = new Node();
                n.side[bit] = side;
            } else if (!(side instanceof Node)) {
                throw new IllegalArgumentException(cidr + " overlaps another network");
            }
            n = (Node) side;
        }
        int last = (bits[(prefix - 1) / 8] >> (7 - (prefix - 1) % 8)) & 1;
        if (n.side[last] != null) {
            throw new IllegalArgumentException(cidr + " overlaps another network");
        }
        n.side[last] = offset;
        return this;
    }

    /** The whole file: search tree, 16 zero bytes, data section, metadata. */
    byte[] build() {
        List<Node> nodes = new ArrayList<>();
        number(root, nodes);
        int nodeCount = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node n : nodes) {
            for (int side = 0; side < 2; side++) {
                long record;
                Object s = n.side[side];
                if (s instanceof Node child) {
                    record = child.number;
                } else if (s instanceof Integer offset) {
                    record = nodeCount + 16L + offset; // a data pointer: past the node count and the separator
                } else {
                    record = nodeCount; // no data
                }
                if (record >= 1L << RECORD_BITS) {
                    throw new IllegalStateException("too large for 24-bit records");
                }
                out.write((int) (record >>> 16));
                out.write((int) (record >>> 8));
                out.write((int) record);
            }
        }
        out.writeBytes(new byte[16]);
        out.writeBytes(data.toByteArray());
        out.writeBytes(METADATA_MARKER);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("binary_format_major_version", new Uint16(2));
        meta.put("binary_format_minor_version", new Uint16(0));
        meta.put("build_epoch", new Uint64(1_700_000_000L));
        meta.put("database_type", databaseType);
        meta.put("description", Map.of("en", "pingora4j test database"));
        meta.put("ip_version", new Uint16(6));
        meta.put("languages", List.of("en"));
        meta.put("node_count", (long) nodeCount);
        meta.put("record_size", new Uint16(RECORD_BITS));
        encode(meta, out);
        return out.toByteArray();
    }

    /** Breadth first, so the root is node 0. */
    private static void number(Node root, List<Node> nodes) {
        List<Node> queue = new ArrayList<>(List.of(root));
        for (int i = 0; i < queue.size(); i++) {
            Node n = queue.get(i);
            n.number = nodes.size();
            nodes.add(n);
            for (Object s : n.side) {
                if (s instanceof Node child) {
                    queue.add(child);
                }
            }
        }
    }

    record Uint16(int value) {
    }

    record Uint64(long value) {
    }

    // ---------------------------------------------------------------- the data section's types

    private static final int STRING = 2;
    private static final int UINT16 = 5;
    private static final int UINT32 = 6;
    private static final int MAP = 7;
    private static final int UINT64 = 9;
    private static final int ARRAY = 11;
    private static final int BOOLEAN = 14;

    /** Strings, maps, lists, booleans; Long as uint32, {@link Uint16}, {@link Uint64}. */
    @SuppressWarnings("unchecked")
    static void encode(Object v, ByteArrayOutputStream out) {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            control(STRING, b.length, out);
            out.writeBytes(b);
        } else if (v instanceof Map<?, ?> m) {
            control(MAP, m.size(), out);
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                encode(e.getKey(), out);
                encode(e.getValue(), out);
            }
        } else if (v instanceof List<?> l) {
            control(ARRAY, l.size(), out);
            for (Object o : l) {
                encode(o, out);
            }
        } else if (v instanceof Boolean b) {
            control(BOOLEAN, b ? 1 : 0, out);
        } else if (v instanceof Uint16 u) {
            unsigned(UINT16, u.value(), out);
        } else if (v instanceof Long l) {
            unsigned(UINT32, l, out);
        } else if (v instanceof Uint64 u) {
            unsigned(UINT64, u.value(), out);
        } else {
            throw new IllegalArgumentException("cannot encode " + v);
        }
    }

    /** Big-endian with the leading zero bytes left out (the size says how many follow). */
    private static void unsigned(int type, long value, ByteArrayOutputStream out) {
        int n = 0;
        for (long x = value; x != 0; x >>>= 8) {
            n++;
        }
        control(type, n, out);
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    /** The control byte (type in the top 3 bits, or 0 and an extended type byte), then the size. */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        int typeBits = type <= 7 ? type << 5 : 0;
        int sizeBits;
        byte[] extra;
        if (size < 29) {
            sizeBits = size;
            extra = new byte[0];
        } else if (size < 29 + 256) {
            sizeBits = 29;
            extra = new byte[] {(byte) (size - 29)};
        } else if (size < 285 + 65_536) {
            sizeBits = 30;
            int s = size - 285;
            extra = new byte[] {(byte) (s >>> 8), (byte) s};
        } else {
            sizeBits = 31;
            int s = size - 65_821;
            extra = new byte[] {(byte) (s >>> 16), (byte) (s >>> 8), (byte) s};
        }
        out.write(typeBits | sizeBits);
        if (type > 7) {
            out.write(type - 7);
        }
        out.writeBytes(extra);
    }
}
