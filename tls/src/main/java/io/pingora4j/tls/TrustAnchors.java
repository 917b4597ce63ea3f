package io.pingora4j.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Trust managers over explicit CA certificates and/or the JDK's default trust store (cacerts). */
final class TrustAnchors {

    private static volatile List<X509Certificate> system;

    private TrustAnchors() {
    }

    /** The JDK's default trust anchors (honours -Djavax.net.ssl.trustStore). Loaded once. */
    static List<X509Certificate> system() {
        List<X509Certificate> s = system;
        if (s == null) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                List<X509Certificate> out = new ArrayList<>();
                for (TrustManager tm : tmf.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        out.addAll(List.of(x.getAcceptedIssuers()));
                    }
                }
                s = List.copyOf(out);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the JDK's default trust store", e);
            }
            system = s;
        }
        return s;
    }

    /** A PKIX trust manager trusting exactly {@code anchors}. */
    static X509ExtendedTrustManager trusting(List<X509Certificate> anchors) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : anchors) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("PKIX trust manager factory made no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager", e);
        }
    }
}
