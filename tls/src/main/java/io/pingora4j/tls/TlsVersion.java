package io.pingora4j.tls;

import java.util.Locale;

/** The TLS versions a listener can enable. TLS 1.0 and 1.1 are not offered (RFC 8996; the JDK disables them). */
public enum TlsVersion {
    TLS_1_2("TLSv1.2"),
    TLS_1_3("TLSv1.3");

    private final String jsseName;

    TlsVersion(String jsseName) {
        this.jsseName = jsseName;
    }

    /** The protocol name JSSE uses, e.g. "TLSv1.3". */
    public String jsseName() {
        return jsseName;
    }

    /**
     * Parses a configured version: "tlsv1.2", "TLSv1.3", "1.2", "tls1.3" (case-insensitive).
     *
     * @param key the config key, named in the error (e.g. "tls_min_version")
     * @throws TlsConfigException for anything else, including TLS 1.0/1.1
     */
    public static TlsVersion parse(String key, String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("tls")) {
            v = v.substring(3);
        }
        if (v.startsWith("v")) {
            v = v.substring(1);
        }
        v = v.replace('_', '.');
        switch (v) {
            case "1.2":
                return TLS_1_2;
            case "1.3":
                return TLS_1_3;
            case "1", "1.0", "1.1":
                throw new TlsConfigException(key, "'" + value + "' is not supported: TLS 1.0 and 1.1 are deprecated "
                        + "(RFC 8996) and disabled in the JDK; use tlsv1.2 or tlsv1.3");
            default:
                throw new TlsConfigException(key, "unknown TLS version '" + value + "'; expected tlsv1.2 or tlsv1.3");
        }
    }
}
