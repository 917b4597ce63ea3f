package io.pingora4j.tls;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The keys that encrypt TLS session tickets (RFC 5077; TLS 1.3 PSK tickets, RFC 8446 §4.6.1),
 * rotated every {@code lifetime}: a new key encrypts the tickets issued from then on, and the key
 * before it is kept one more lifetime to decrypt the tickets it issued. A ticket older than two
 * lifetimes finds no key, and its client gets a full handshake. No key is ever written anywhere: a
 * restart starts a new ring, as nginx without ssl_session_ticket_key does.
 *
 * <p>One ring serves every listener of the process (so a ticket from one loop resumes on any
 * other). Rotation is lazy: {@link #current()} rotates when the lifetime has passed, so no thread
 * waits on a timer; listeners compare {@link Ring#generation()} with what they last installed.
 *
 * <p>Thread-safe: {@link #current()} is one volatile read on the fast path; rotation is
 * synchronized.
 */
public final class SessionTicketKeys {

    /** The default ticket lifetime and rotation period, as nginx's session timeout ballpark. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    /** Bytes of each part of a key: a 16-byte name, a 16-byte HMAC key and a 16-byte AES-128 key. */
    public static final int PART = 16;

    /**
     * One state of the ring.
     *
     * @param generation increases by one at each rotation
     * @param keys the current key first (encrypts and decrypts), then the previous (decrypts), each
     *        {@code name || hmacKey || aesKey} of {@link #PART} bytes apiece
     */
    public record Ring(long generation, byte[][] keys) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long lifetimeNanos;
    private final Duration lifetime;
    private final LongSupplier nanoClock;
    private volatile Ring ring;
    private volatile long rotateAt;

    public SessionTicketKeys(Duration lifetime) {
        this(lifetime, System::nanoTime);
    }

    /** With a clock of its own (tests). */
    public SessionTicketKeys(Duration lifetime, LongSupplier nanoClock) {
        Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new TlsConfigException("tls_session_ticket_lifetime", "must be positive, was " + lifetime);
        }
        this.lifetime = lifetime;
        this.lifetimeNanos = lifetime.toNanos();
        this.nanoClock = nanoClock;
        this.ring = new Ring(0, new byte[][] {newKey()});
        this.rotateAt = nanoClock.getAsLong() + lifetimeNanos;
    }

    /** How long a ticket's key encrypts new tickets, and how long after that it still decrypts. */
    public Duration lifetime() {
        return lifetime;
    }

    /** The keys in force now, rotating first if the lifetime has passed. */
    public Ring current() {
        if (nanoClock.getAsLong() - rotateAt >= 0) {
            rotateIfDue();
        }
        return ring;
    }

    /** Rotates now, whatever the clock says: the current key becomes the previous, the previous is dropped. */
    public synchronized Ring rotate() {
        Ring r = ring;
        Ring next = new Ring(r.generation + 1, new byte[][] {newKey(), r.keys[0]});
        ring = next;
        rotateAt = nanoClock.getAsLong() + lifetimeNanos;
        return next;
    }

    private synchronized void rotateIfDue() {
        long now = nanoClock.getAsLong();
        if (now - rotateAt >= 0) {
            // after a long idle spell both keys are stale: one rotation per elapsed lifetime
            long missed = Math.min(2, 1 + (now - rotateAt) / lifetimeNanos);
            for (long i = 0; i < missed; i++) {
                rotate();
            }
        }
    }

    private static byte[] newKey() {
        byte[] k = new byte[3 * PART];
        RANDOM.nextBytes(k);
        return k;
    }
}
