package io.pingora4j.engine;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.KnownHeader;
import io.pingora4j.codec.h1.RequestHead;

/** The fields that belong to one connection, not to the message (RFC 9110 §7.6.1), and how to drop them. */
final class HopByHop {

    private HopByHop() {
    }

    /**
     * Removes hop-by-hop fields, and the fields the Connection field names, from {@code h}. Upgrade
     * stays for a switch of protocols, Trailer for a client that takes trailers.
     */
    static void strip(HeaderBlock h, boolean keepUpgrade, boolean keepTrailer) {
        for (int c = h.indexOfKind(KnownHeader.CONNECTION); c >= 0; c = h.indexOfKind(KnownHeader.CONNECTION, c + 1)) {
            for (int i = h.size() - 1; i >= 0; i--) {
                int kind = h.kind(i);
                if (i != c && kind != KnownHeader.CONNECTION && !(keepUpgrade && kind == KnownHeader.UPGRADE)
                        && h.valueListsName(c, i)) {
                    h.remove(i);
                    if (i < c) {
                        c--;
                    }
                }
            }
        }
        for (int i = h.size() - 1; i >= 0; i--) {
            int kind = h.kind(i);
            if (KnownHeader.isHopByHop(kind) && !(keepUpgrade && kind == KnownHeader.UPGRADE)
                    && !(keepTrailer && kind == KnownHeader.TRAILER)) {
                h.remove(i);
            }
        }
    }

    /** The client said it takes trailers ({@code TE: trailers}). */
    static boolean takesTrailers(HeaderBlock h) {
        for (int i = h.indexOfKind(KnownHeader.TE); i >= 0; i = h.indexOfKind(KnownHeader.TE, i + 1)) {
            if (h.hasToken(i, "trailers")) {
                return true;
            }
        }
        return false;
    }

    /** An HTTP/1.1 WebSocket handshake: {@code Upgrade: websocket} with {@code Connection: upgrade}. */
    static boolean isWebSocketUpgrade(RequestHead r) {
        if (!r.upgrade() || !r.connectionUpgrade()) {
            return false;
        }
        HeaderBlock h = r.headers();
        int i = h.indexOfKind(KnownHeader.UPGRADE);
        return i >= 0 && h.hasToken(i, "websocket");
    }
}
