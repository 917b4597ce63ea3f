package io.pingora4j.tls;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The certificates a TLS listener serves, chosen per connection by the client's SNI name. The
 * contents are an immutable {@link Snapshot} swapped atomically by {@link #replace}: handshakes
 * read whichever snapshot is current when they choose a certificate, and the snapshot before it
 * stays reachable (by generation) so a handshake that chose from it can still fetch its key.
 *
 * <p>Selection, as nginx picks a server block: an exact name (case-insensitive, trailing dot
 * ignored); then a wildcard {@code *.example.com}, which matches exactly one more label
 * ({@code a.example.com}, not {@code example.com} nor {@code a.b.example.com}); then the default.
 * The default is the certificate marked {@code is_default}; with none marked, the first one
 * configured, as nginx falls back to a listener's first server, unless the store was built with
 * {@link Fallback#MARKED_ONLY}, when an unmatched name gets no certificate and the handshake fails.
 * A client sending no SNI (e.g. connecting by IP address) gets the default.
 *
 * <p>Thread-safe: {@link #replace} may be called from any thread while handshakes read.
 */
public final class CertificateStore {

    /** What an unmatched or missing SNI name is served. */
    public enum Fallback {
        /** The certificate marked {@code is_default}, else the first configured (nginx's behaviour). */
        MARKED_OR_FIRST,
        /** Only a certificate marked {@code is_default}; with none, unmatched names fail the handshake. */
        MARKED_ONLY
    }

    private static final AtomicLong GENERATIONS = new AtomicLong();

    private final Fallback fallback;
    /** current and previous are read without locks; replace() is synchronized so the pair moves together. */
    private volatile Snapshot current;
    private volatile Snapshot previous;

    /** An empty store with nginx's fallback ({@link Fallback#MARKED_OR_FIRST}). */
    public CertificateStore() {
        this(Fallback.MARKED_OR_FIRST);
    }

    public CertificateStore(Fallback fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.current = new Snapshot(GENERATIONS.incrementAndGet(), List.of(), fallback);
        this.previous = current;
    }

    /** A store holding {@code certificates}, with nginx's fallback. */
    public static CertificateStore of(List<CertifiedKey> certificates) {
        CertificateStore store = new CertificateStore();
        store.replace(certificates);
        return store;
    }

    /**
     * Makes {@code certificates} (in configuration order) the served set, atomically: a handshake
     * sees either the old set or the new one. Returns the new snapshot.
     */
    public synchronized Snapshot replace(List<CertifiedKey> certificates) {
        Snapshot next = new Snapshot(GENERATIONS.incrementAndGet(), certificates, fallback);
        previous = current;
        current = next;
        return next;
    }

    /** The current snapshot. */
    public Snapshot snapshot() {
        return current;
    }

    /** The current or the previous snapshot if it has {@code generation}, else null (replaced twice since). */
    public Snapshot snapshot(long generation) {
        Snapshot c = current;
        if (c.generation == generation) {
            return c;
        }
        Snapshot p = previous;
        return p.generation == generation ? p : null;
    }

    /** The certificate for {@code sni} (null or empty: no SNI), or null if none is served for it. */
    public CertifiedKey select(String sni) {
        List<CertifiedKey> c = current.candidates(sni);
        return c.isEmpty() ? null : c.get(0);
    }

    /** One immutable set of certificates and its lookup tables. */
    public static final class Snapshot {

        private final long generation;
        private final List<CertifiedKey> certificates;
        private final Map<String, List<CertifiedKey>> exact = new HashMap<>();
        /** Keyed by the part after "*.", e.g. "example.com". */
        private final Map<String, List<CertifiedKey>> wildcard = new HashMap<>();
        private final List<CertifiedKey> defaults;

        Snapshot(long generation, List<CertifiedKey> certificates, Fallback fallback) {
            this.generation = generation;
            this.certificates = List.copyOf(certificates);
            List<CertifiedKey> marked = new ArrayList<>();
            for (CertifiedKey ck : this.certificates) {
                for (String n : ck.names()) {
                    if (n.startsWith("*.")) {
                        wildcard.computeIfAbsent(n.substring(2), k -> new ArrayList<>()).add(ck);
                    } else {
                        exact.computeIfAbsent(n, k -> new ArrayList<>()).add(ck);
                    }
                }
                if (ck.isDefault()) {
                    marked.add(ck);
                }
            }
            if (marked.isEmpty() && fallback == Fallback.MARKED_OR_FIRST && !this.certificates.isEmpty()) {
                marked.add(this.certificates.get(0));
            }
            this.defaults = List.copyOf(marked);
        }

        public long generation() {
            return generation;
        }

        /** All certificates, in configuration order. */
        public List<CertifiedKey> certificates() {
            return certificates;
        }

        /** The certificate at {@code index} in {@link #certificates()}, or null if out of range. */
        public CertifiedKey get(int index) {
            return index >= 0 && index < certificates.size() ? certificates.get(index) : null;
        }

        /**
         * The certificates of the best-matching level for {@code sni} (exact, else wildcard, else
         * default), in configuration order; several when one name has, say, an RSA and an EC
         * certificate. A lower level is never consulted when a higher one matched: a client asking
         * for {@code a.example.com} gets that name's certificate even if only the default has the
         * key type it would prefer.
         */
        public List<CertifiedKey> candidates(String sni) {
            String name = HostNames.normalize(sni);
            if (name != null) {
                List<CertifiedKey> e = exact.get(name);
                if (e != null) {
                    return e;
                }
                int dot = name.indexOf('.');
                if (dot > 0) {
                    List<CertifiedKey> w = wildcard.get(name.substring(dot + 1));
                    if (w != null) {
                        return w;
                    }
                }
            }
            return defaults;
        }

        /** The index of {@code ck} in {@link #certificates()} (identity), or -1. */
        int indexOf(CertifiedKey ck) {
            for (int i = 0; i < certificates.size(); i++) {
                if (certificates.get(i) == ck) {
                    return i;
                }
            }
            return -1;
        }
    }
}
