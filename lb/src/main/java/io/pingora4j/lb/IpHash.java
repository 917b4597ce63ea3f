package io.pingora4j.lb;

import java.net.InetAddress;
import java.util.Objects;

/**
 * nginx's {@code ip_hash}: the same client address goes to the same backend while the backend set
 * and its health do not change.
 *
 * <p>The hash, as {@code ngx_http_upstream_get_ip_hash_peer} computes it: start from 89 and, for each
 * address byte b, {@code h = (h * 113 + b) % 6271}. The bytes are the first 3 octets of an IPv4
 * address (so a whole /24 shares a backend) or all 16 bytes of an IPv6 address; a client without an
 * IP address (unix socket) hashes as the 3 bytes 0.0.0. Then {@code h % totalWeight} is walked
 * through the backends' <em>configured</em> weights in configuration order. Configured, not
 * effective, weights: a slow-starting backend must not reshuffle every client's mapping.
 *
 * <p>If the chosen backend is down or tried, nginx re-hashes: it feeds the same address bytes again
 * into the running hash and walks again, up to 20 times. After that nginx falls back to round
 * robin; we instead take the first eligible backend after the last one the hash chose, which stays
 * deterministic per client.
 *
 * <p>The address length decides the family: a 16-byte IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * hashes as IPv6, as it does in nginx when it arrives on an IPv6 socket.
 *
 * <p>Thread-safe and stateless.
 */
public final class IpHash implements Selector {

    static final int INITIAL_HASH = 89;
    static final int MAX_REHASH = 20;
    private static final byte[] NO_ADDRESS = {0, 0, 0};

    private final BackendSet set;
    /** cumulative configured weights: backend p owns [upto[p-1], upto[p]) */
    private final int[] upto;
    private final int totalWeight;

    public IpHash(BackendSet set) {
        this.set = Objects.requireNonNull(set, "set");
        this.upto = new int[set.size()];
        int sum = 0;
        for (int i = 0; i < upto.length; i++) {
            sum += set.backend(i).weight();
            upto[i] = sum;
        }
        this.totalWeight = sum;
    }

    @Override
    public int select(RequestKeyView request, long tried) {
        return select(request == null ? null : request.clientAddress(), tried);
    }

    /** Picks for an address given as 4 or 16 raw bytes (null = not an IP client). */
    public int select(byte[] address, long tried) {
        byte[] bytes = address;
        int len;
        if (address == null) {
            bytes = NO_ADDRESS;
            len = 3;
        } else if (address.length == 4) {
            len = 3;
        } else if (address.length == 16) {
            len = 16;
        } else {
            throw new IllegalArgumentException("client address must have 4 or 16 bytes, not " + address.length);
        }
        if (upto.length == 1) {
            return Selector.eligible(set, tried, 0) ? 0 : NONE;
        }
        int hash = INITIAL_HASH;
        int p = 0;
        for (int attempt = 0; attempt <= MAX_REHASH; attempt++) {
            for (int i = 0; i < len; i++) {
                hash = (hash * 113 + (bytes[i] & 0xFF)) % 6271;
            }
            p = ownerOf(hash % totalWeight);
            if (Selector.eligible(set, tried, p)) {
                return p;
            }
        }
        for (int k = 1; k < upto.length; k++) {
            int i = (p + k) % upto.length;
            if (Selector.eligible(set, tried, i)) {
                return i;
            }
        }
        return NONE;
    }

    /** Convenience for callers holding an {@link InetAddress} (allocates: getAddress() copies). */
    public int select(InetAddress address) {
        return select(address == null ? null : address.getAddress(), 0L);
    }

    /** The backend whose weight range contains {@code w}, 0 <= w < totalWeight. */
    private int ownerOf(int w) {
        int lo = 0;
        int hi = upto.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (upto[mid] > w) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public BackendSet backends() {
        return set;
    }
}
