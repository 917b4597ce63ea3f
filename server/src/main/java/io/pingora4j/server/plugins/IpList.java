package io.pingora4j.server.plugins;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of IP addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}),
 * as Pingap's {@code purge_ip_list} and {@code ip_list} take them. Immutable and thread-safe.
 *
 * <p>An IPv4 client seen as an IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) matches IPv4
 * entries. Entries are literals only: a host name is refused, never resolved.
 */
public final class IpList {

    private final List<byte[]> networks;
    private final int[] prefixes;

    private IpList(List<byte[]> networks, int[] prefixes) {
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Parses the entries.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or block
     */
    public static IpList parse(List<String> entries) {
        List<byte[]> nets = new ArrayList<>(entries.size());
        int[] prefixes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).trim();
            int slash = e.indexOf('/');
            byte[] addr = literal(slash < 0 ? e : e.substring(0, slash), e);
            int bits = addr.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("\"" + e + "\": the prefix length must be 0-" + bits);
                }
            }
            nets.add(addr);
            prefixes[i] = prefix;
        }
        return new IpList(nets, prefixes);
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether {@code ip} (an address literal, as {@code Session.clientIp()} gives it) is listed. */
    public boolean contains(String ip) {
        byte[] a;
        try {
            a = literal(ip, ip);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return contains(a);
    }

    /**
     * Whether the address with these bytes (4 for IPv4, 16 for IPv6, as
     * {@link InetAddress#getAddress()} gives them) is listed. Allocates nothing; an IPv4-mapped
     * IPv6 address matches IPv4 entries.
     */
    public boolean contains(byte[] a) {
        if (a.length == 16 && isV4Mapped(a)) {
            for (int i = 0; i < networks.size(); i++) {
                if (networks.get(i).length == 4 && matchesMapped(networks.get(i), prefixes[i], a)) {
                    return true;
                }
            }
        }
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixes[i], a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes of an IP literal (4 or 16; an IPv4-mapped IPv6 literal gives 4), or null when
     * {@code text} is not one. Never resolves a name.
     */
    public static byte[] address(String text) {
        try {
            return literal(text.trim(), text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int k = 0; k < 10; k++) {
            if (a[k] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean matchesMapped(byte[] net, int prefix, byte[] a) {
        for (int b = 0; b < 4; b++) {
            int bits = Math.min(8, Math.max(0, prefix - b * 8));
            int mask = (0xFF << (8 - bits)) & 0xFF;
            if ((net[b] & mask) != (a[12 + b] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] net, int prefix, byte[] a) {
        if (net.length != a.length) {
            return false;
        }
        int full = prefix / 8;
        for (int b = 0; b < full; b++) {
            if (net[b] != a[b]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }

    /** The address bytes of a literal (4 for IPv4 and IPv4-mapped IPv6, 16 for IPv6); never resolves. */
    private static byte[] literal(String text, String entry) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = !t.isEmpty() && t.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))
                && t.chars().filter(c -> c == '.').count() == 3;
        boolean v6 = t.indexOf(':') >= 0 && t.chars().allMatch(c -> c == ':' || c == '.' || c == '%'
                || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            throw new IllegalArgumentException("\"" + entry + "\" is not an IP address or CIDR block");
        }
        if (v4) {
            for (String part : t.split("\\.", -1)) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("\"" + entry + "\" is not an IP address or CIDR block");
                }
            }
        }
        try {
            // a literal of the checked shapes: getByName parses it without a lookup
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + entry + "\" is not an IP address or CIDR block");
        }
    }
}
