package io.pingora4j.server.config;

import java.util.Objects;

/**
 * An address a server listens on, from {@code addr = "0.0.0.0:80"} (several comma-separated, or an
 * array). IPv6 is written in brackets ("[::]:443"); the host is kept without them. Immutable.
 *
 * @param host IP literal or name to bind ("" means all interfaces)
 * @param port 1..65535
 */
public record ListenAddress(String host, int port) {

    public ListenAddress {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    /** @throws IllegalArgumentException with "addr 'TEXT': reason" */
    public static ListenAddress parse(String text) {
        String t = text.strip();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("addr '" + text + "': expected [ipv6]:port");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("addr '" + text + "': missing port (expected host:port)");
            }
            if (t.indexOf(':') != colon) {
                throw new IllegalArgumentException("addr '" + text + "': write IPv6 addresses as [addr]:port");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 6 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("addr '" + text + "': port '" + port + "' is not a number");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException("addr '" + text + "': port out of range");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == '@') {
                throw new IllegalArgumentException("addr '" + text + "': invalid character in host");
            }
        }
        return new ListenAddress(host, p);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
