package io.pingora4j.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Cipher suite names as configured (IANA names, or OpenSSL names for the common suites, separated
 * by ':' as nginx takes them) checked against what the JDK implements.
 */
final class CipherSuites {

    /** TLS 1.2: forward secrecy (ECDHE) and AEAD only; no CBC, no RSA key exchange, no SHA-1. */
    static final List<String> DEFAULT_TLS12 = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final List<String> DEFAULT_TLS13 = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /** OpenSSL's names for the TLS 1.2 suites people put in nginx configs. TLS 1.3 names are the same in both. */
    private static final Map<String, String> OPENSSL_TO_IANA = Map.ofEntries(
            Map.entry("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("ECDHE-ECDSA-AES256-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
            Map.entry("ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
            Map.entry("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
            Map.entry("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            Map.entry("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
            Map.entry("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
            Map.entry("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256"),
            Map.entry("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
            Map.entry("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"));

    /** OpenSSL cipher-string keywords: an expression language this does not evaluate. */
    private static final Set<String> OPENSSL_KEYWORDS = Set.of("HIGH", "MEDIUM", "LOW", "ALL", "DEFAULT",
            "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL", "ECDHE", "EECDH", "EDH", "DHE", "AESGCM", "AES", "CHACHA20",
            "AES128", "AES256", "SECURE128", "SECURE192", "SUITEB128", "ANULL", "ENULL", "MD5", "SHA", "SHA1",
            "SHA256", "SHA384", "RSA", "ECDSA", "KRSA", "AECDH", "3DES", "RC4", "EXPORT");

    private static volatile Set<String> supported;

    private CipherSuites() {
    }

    /**
     * Parses a ':'-separated (also ',' or space) list into IANA names.
     *
     * @param key the config key, named in errors ("tls_cipher_list" or "tls_ciphersuites")
     * @param tls13 whether the list is for TLS 1.3 (tls_ciphersuites) or TLS 1.2 (tls_cipher_list)
     * @throws TlsConfigException naming the key and the first bad entry
     */
    static List<String> parse(String key, String value, boolean tls13) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : value.split("[:,\\s]+")) {
            if (raw.isEmpty()) {
                continue;
            }
            String upper = raw.toUpperCase(Locale.ROOT);
            if (raw.startsWith("!") || raw.startsWith("-") || raw.startsWith("+") || raw.startsWith("@")
                    || raw.contains("+") || OPENSSL_KEYWORDS.contains(upper)) {
                throw new TlsConfigException(key, "'" + raw + "' is an OpenSSL cipher expression, which is not "
                        + "supported; list suite names (IANA, or OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256)");
            }
            String iana = OPENSSL_TO_IANA.getOrDefault(upper, upper);
            if (!supported().contains(iana)) {
                throw new TlsConfigException(key, "unknown or unsupported cipher suite '" + raw + "'");
            }
            boolean is13 = isTls13(iana);
            if (is13 != tls13) {
                throw new TlsConfigException(key, "'" + raw + "' is a TLS " + (is13 ? "1.3" : "1.2") + " suite; "
                        + (is13 ? "put it in tls_ciphersuites" : "put it in tls_cipher_list"));
            }
            out.add(iana);
        }
        if (out.isEmpty()) {
            throw new TlsConfigException(key, "no cipher suites in '" + value + "'");
        }
        return new ArrayList<>(out);
    }

    /** TLS 1.3 suites name no key exchange or authentication: "TLS_AES_...", "TLS_CHACHA20_...". */
    static boolean isTls13(String iana) {
        return !iana.contains("_WITH_") && iana.startsWith("TLS_");
    }

    /** The suites this JDK implements (whether or not enabled by default). */
    static Set<String> supported() {
        Set<String> s = supported;
        if (s == null) {
            try {
                JsseProperties.apply();
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
                s = Set.of(ctx.getSupportedSSLParameters().getCipherSuites());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no TLS implementation", e);
            }
            supported = s;
        }
        return s;
    }
}
