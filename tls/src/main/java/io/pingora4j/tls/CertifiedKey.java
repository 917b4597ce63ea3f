package io.pingora4j.tls;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A certificate chain, its private key and the host names it is served for: one
 * {@code [certificates.NAME]} entry, loaded and checked. Immutable.
 *
 * @param name the entry's name in the configuration
 * @param chain leaf first, in the order the file gave them (sent to clients as is)
 * @param key the leaf's private key (checked to match the leaf)
 * @param names normalised names served: exact ("api.example.com") or wildcard ("*.example.com")
 * @param isDefault whether this is served when no name matches (Pingap's {@code is_default})
 */
public record CertifiedKey(String name, List<X509Certificate> chain, PrivateKey key, List<String> names,
        boolean isDefault) {

    public CertifiedKey {
        chain = List.copyOf(chain);
        names = List.copyOf(names);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty chain");
        }
    }

    /**
     * Checks and assembles an entry.
     *
     * @param domains the configured names; when empty, the leaf's DNS subject alternative names
     *        (or, with none, its subject CN) are served
     * @param certSource the chain's source, named in errors
     * @param keySource the key's source, named in errors
     * @throws TlsConfigException if the key does not match the leaf, or a configured domain is not a host name
     */
    public static CertifiedKey of(String name, List<X509Certificate> chain, PrivateKey key, Collection<String> domains,
            boolean isDefault, String certSource, String keySource) {
        if (chain.isEmpty()) {
            throw new TlsConfigException(certSource, "no certificate in it");
        }
        if (!KeyTypes.matches(key, chain.get(0).getPublicKey())) {
            for (int i = 1; i < chain.size(); i++) {
                if (KeyTypes.matches(key, chain.get(i).getPublicKey())) {
                    throw new TlsConfigException(keySource, "key does not match the first certificate in "
                            + certSource + " but certificate " + (i + 1) + "; the leaf certificate must come first");
                }
            }
            throw new TlsConfigException(keySource, "key does not match the certificate in " + certSource);
        }
        Set<String> names = new LinkedHashSet<>();
        for (String d : domains) {
            String n = checkedName(d);
            if (n == null) {
                throw new TlsConfigException("certificates." + name + ".domains",
                        "'" + d + "' is not a host name or a '*.' wildcard");
            }
            names.add(n);
        }
        if (names.isEmpty()) {
            names.addAll(namesIn(chain.get(0)));
        }
        return new CertifiedKey(name, chain, key, new ArrayList<>(names), isDefault);
    }

    /** Reads the chain and key of one configured entry and checks them. */
    public static CertifiedKey load(String name, PemSource cert, PemSource key, Collection<String> domains,
            boolean isDefault) {
        return of(name, PemReader.readCertificates(cert), PemReader.readPrivateKey(key), domains, isDefault,
                cert.description(), key.description());
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** "RSA", "EC" or "EdDSA": the keyType JSSE asks a key manager for. */
    public String keyType() {
        return KeyTypes.of(key);
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** The leaf's DNS subject alternative names, or its subject CN if it has none; normalised. */
    static List<String> namesIn(X509Certificate leaf) {
        Set<String> out = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns) {
                        String n = checkedName(dns);
                        if (n != null) {
                            out.add(n);
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparseable SAN extension: fall back to the CN as if there were none
        }
        if (out.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                    if ("CN".equalsIgnoreCase(rdn.getType()) && rdn.getValue() instanceof String cn) {
                        String n = checkedName(cn);
                        if (n != null) {
                            out.add(n);
                        }
                    }
                }
            } catch (InvalidNameException e) {
                // no usable subject: the certificate serves no name (it can still be the default)
            }
        }
        return new ArrayList<>(out);
    }

    /** A normalised exact name or "*.suffix" wildcard, or null if it is neither (e.g. "a.*.com", "*"). */
    static String checkedName(String raw) {
        String n = HostNames.normalize(raw);
        if (n == null || n.contains(" ")) {
            return null;
        }
        int star = n.indexOf('*');
        if (star < 0) {
            return n;
        }
        boolean wildcard = n.startsWith("*.") && n.indexOf('*', 1) < 0 && n.length() > 2 && n.indexOf('.', 2) > 0;
        return wildcard ? n : null;
    }

    @Override
    public String toString() {
        return "CertifiedKey[" + name + " " + names + " " + keyType() + " notAfter=" + notAfter()
                + (isDefault ? " default" : "") + "]";
    }
}
