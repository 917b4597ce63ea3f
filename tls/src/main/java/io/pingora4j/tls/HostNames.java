package io.pingora4j.tls;

import java.net.IDN;
import java.util.Locale;

/** Host name normalisation shared by the certificate store and the client factory. */
final class HostNames {

    private HostNames() {
    }

    /**
     * The form names are compared in: lower case, no trailing dot, internationalised names as
     * A-labels (SNI carries "xn--" names). Returns null for a name that is not a valid host name.
     */
    static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String n = name.strip();
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            return null;
        }
        boolean ascii = n.chars().allMatch(ch -> ch < 0x80);
        if (!ascii) {
            try {
                n = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal (optionally bracketed); never resolves anything. */
    static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return true; // IPv6 (host names cannot contain ':')
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
