package io.pingora4j.tls;

import io.netty.internal.tcnative.Buffer;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLCredential;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BoringSSL credentials (SSL_CREDENTIAL: a chain and its key, parsed once into native memory) for
 * the certificates of a {@link CertificateStore}, so a handshake for a name with several
 * certificates (RSA and EC) can offer BoringSSL all of them: it then serves the first that the
 * client's cipher suites and signature algorithms allow, as the JDK's key manager calls do.
 *
 * <p>Keyed by the store's alias ("generation:index"); when the store moves on, credentials of
 * snapshots no longer reachable are freed (a handshake that added one holds its own reference).
 * Thread-safe.
 */
final class NativeCredentials {

    private final CertificateStore store;
    private final Map<String, Long> byAlias = new ConcurrentHashMap<>();
    private volatile long prunedFor = -1;

    NativeCredentials(CertificateStore store) {
        this.store = store;
    }

    /** Adds {@code ck}'s credential to the handshake of {@code ssl} (an SSL*). */
    void addTo(long ssl, String alias, CertifiedKey ck) throws Exception {
        Long cred = byAlias.get(alias);
        if (cred == null) {
            long made = build(ck);
            Long raced = byAlias.putIfAbsent(alias, made);
            if (raced != null) {
                SSLCredential.free(made);
                cred = raced;
            } else {
                cred = made;
                pruneIfMoved();
            }
        }
        SSL.addCredential(ssl, cred);
    }

    /** Frees every credential (the listener is closed). */
    void close() {
        for (Iterator<Long> it = byAlias.values().iterator(); it.hasNext(); ) {
            free(it.next());
            it.remove();
        }
    }

    private void pruneIfMoved() {
        CertificateStore.Snapshot now = store.snapshot();
        if (prunedFor == now.generation()) {
            return;
        }
        prunedFor = now.generation();
        for (Iterator<Map.Entry<String, Long>> it = byAlias.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            long generation = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf(':')));
            if (store.snapshot(generation) == null && byAlias.remove(e.getKey(), e.getValue())) {
                free(e.getValue());
            }
        }
    }

    private static void free(long cred) {
        try {
            SSLCredential.free(cred);
        } catch (Exception ignored) {
            // nothing to recover: the memory stays with BoringSSL
        }
    }

    private static long build(CertifiedKey ck) throws Exception {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : ck.chain()) {
            pem.append(pem("CERTIFICATE", encoded(c)));
        }
        long chain = 0;
        long key = 0;
        long cred = 0;
        try {
            chain = parse(pem.toString(), true);
            key = parse(pem("PRIVATE KEY", ck.key().getEncoded()), false);
            cred = SSLCredential.newX509();
            SSLCredential.setPrivateKey(cred, key);
            SSLCredential.setCertChain(cred, chain);
            long done = cred;
            cred = 0;
            return done;
        } finally {
            if (cred != 0) {
                SSLCredential.free(cred);
            }
            if (key != 0) {
                SSL.freePrivateKey(key);
            }
            if (chain != 0) {
                SSL.freeX509Chain(chain);
            }
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a loaded certificate cannot be encoded again", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A chain (STACK_OF(CRYPTO_BUFFER)*) or a key (EVP_PKEY*) parsed from PEM by BoringSSL. */
    private static long parse(String pem, boolean chain) throws Exception {
        byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        long bio = SSL.newMemBIO();
        try {
            if (SSL.bioWrite(bio, Buffer.address(direct), bytes.length) != bytes.length) {
                throw new IllegalStateException("BoringSSL took part of a PEM block");
            }
            return chain ? SSL.parseX509Chain(bio) : SSL.parsePrivateKey(bio, null);
        } finally {
            SSL.freeBIO(bio);
        }
    }
}
