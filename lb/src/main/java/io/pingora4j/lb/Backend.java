package io.pingora4j.lb;

import java.util.Objects;

/**
 * One upstream server as configured: where to connect and how much traffic it should get.
 *
 * <p>{@code address} is the server exactly as written in the configuration ({@code "10.0.0.1:8080"},
 * {@code "[::1]:8080"}, {@code "api.internal:80"}). It is kept because consistent hashing
 * ({@link KetamaRing}) hashes the written text, as nginx does, not the resolved socket address:
 * two spellings of the same server land on different ring points.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param host    host name or IP literal, without IPv6 brackets
 * @param port    TCP port, 1..65535
 * @param weight  relative share of traffic, {@value #MIN_WEIGHT}..{@value #MAX_WEIGHT}
 * @param address the configured "host:port" text
 */
public record Backend(String host, int port, int weight, String address) {

    public static final int MIN_WEIGHT = 1;
    /** Bounded so that weight sums and weight x in-flight products stay far from overflow. */
    public static final int MAX_WEIGHT = 10_000;

    public Backend {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("backend \"" + address + "\": empty host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("backend \"" + address + "\": port " + port + " is not in 1..65535");
        }
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("backend \"" + address + "\": weight " + weight
                    + " is not in " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
    }

    /** A backend of weight 1 from a "host:port" address. */
    public static Backend of(String address) {
        return of(address, 1);
    }

    /** A backend from a "host:port" address (IPv6 as "[addr]:port") and a weight. */
    public static Backend of(String address, int weight) {
        return parseAddress(address, weight, -1);
    }

    /**
     * Parses Pingap's server spelling: an address, optionally followed by whitespace and a weight,
     * e.g. {@code "10.0.0.1:8080 5"} or {@code "[::1]:8080"}.
     *
     * @throws IllegalArgumentException naming the bad value when the address, port or weight is invalid
     */
    public static Backend parse(String spec) {
        return parse(spec, -1);
    }

    /**
     * Like {@link #parse(String)}, but an address without a port gets {@code defaultPort}
     * (pass -1 to require a port). The written address is kept as is, without the default port,
     * because that is the text nginx hashes.
     */
    public static Backend parse(String spec, int defaultPort) {
        Objects.requireNonNull(spec, "spec");
        String trimmed = spec.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("backend \"" + spec + "\": empty address");
        }
        int space = indexOfWhitespace(trimmed);
        if (space < 0) {
            return parseAddress(trimmed, 1, defaultPort);
        }
        String address = trimmed.substring(0, space);
        String weightText = trimmed.substring(space).strip();
        if (indexOfWhitespace(weightText) >= 0) {
            throw new IllegalArgumentException("backend \"" + spec + "\": expected \"address [weight]\", got more parts");
        }
        int weight;
        try {
            weight = Integer.parseInt(weightText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backend \"" + spec + "\": weight \"" + weightText + "\" is not an integer");
        }
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("backend \"" + spec + "\": weight " + weight
                    + " is not in " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
        return parseAddress(address, weight, defaultPort);
    }

    private static Backend parseAddress(String address, int weight, int defaultPort) {
        Objects.requireNonNull(address, "address");
        String host;
        String portText;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("backend \"" + address + "\": unclosed '[' in IPv6 address");
            }
            host = address.substring(1, close);
            String rest = address.substring(close + 1);
            if (rest.isEmpty()) {
                portText = null;
            } else if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else {
                throw new IllegalArgumentException("backend \"" + address + "\": unexpected \"" + rest + "\" after ']'");
            }
        } else {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                host = address;
                portText = null;
            } else if (address.indexOf(':') != colon) {
                throw new IllegalArgumentException("backend \"" + address
                        + "\": IPv6 addresses must be written as [addr]:port");
            } else {
                host = address.substring(0, colon);
                portText = address.substring(colon + 1);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("backend \"" + address + "\": empty host");
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("backend \"" + address + "\": missing port (expected host:port)");
            }
            port = defaultPort;
        } else {
            port = parsePort(address, portText);
        }
        return new Backend(host, port, weight, address);
    }

    private static int parsePort(String address, String portText) {
        if (portText.isEmpty() || portText.length() > 5) {
            throw new IllegalArgumentException("backend \"" + address + "\": port \"" + portText + "\" is not in 1..65535");
        }
        int port = 0;
        for (int i = 0; i < portText.length(); i++) {
            char c = portText.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("backend \"" + address + "\": port \"" + portText + "\" is not a number");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("backend \"" + address + "\": port \"" + portText + "\" is not in 1..65535");
        }
        return port;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return weight == 1 ? address : address + " " + weight;
    }
}
