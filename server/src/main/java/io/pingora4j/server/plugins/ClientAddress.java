package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.spi.Session;

/**
 * Who the client is, for the plugins that decide by address ({@code ip_restriction},
 * {@code geo_restriction}): the TCP peer, unless the peer is a trusted proxy; then the rightmost
 * {@code X-Forwarded-For} entry that is not itself a trusted proxy (entries to its left were
 * written by whoever the proxy talked to, and can be forged).
 */
public final class ClientAddress {

    private static final String XFF = "X-Forwarded-For";

    private ClientAddress() {
    }

    /**
     * The client's address bytes (4 or 16), or null when a trusted proxy passed on an entry that
     * is not an IP literal (a forged or broken hop: nothing further left is believed).
     *
     * @param trusted the trusted proxies, or null for none (then it is always the peer)
     */
    public static byte[] of(Session session, IpList trusted) {
        byte[] peer = session.clientAddress().getAddress().getAddress();
        if (trusted == null || !trusted.contains(peer)) {
            return peer;
        }
        HeaderBlock h = session.request().headers();
        byte[] found = peer;
        // every field, last to first, every entry right to left: the first untrusted one is the client
        int last = -1;
        for (int i = h.indexOf(XFF); i >= 0; i = h.indexOf(XFF, i + 1)) {
            last = i;
        }
        for (int i = last; i >= 0; i--) {
            if (!h.nameEquals(i, XFF)) {
                continue;
            }
            String v = h.value(i);
            int end = v.length();
            while (end > 0) {
                int comma = v.lastIndexOf(',', end - 1);
                String entry = v.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                byte[] a = IpList.address(entry);
                if (a == null) {
                    return null;
                }
                found = a;
                if (!trusted.contains(a)) {
                    return a;
                }
            }
        }
        return found;
    }
}
