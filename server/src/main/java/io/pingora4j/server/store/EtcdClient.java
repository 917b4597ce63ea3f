package io.pingora4j.server.store;

import io.pingora4j.server.admin.Json;
import io.pingora4j.tls.PemReader;
import io.pingora4j.tls.PemSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * etcd v3 through its JSON gRPC gateway ({@code /v3/kv/range}, {@code /v3/kv/put},
 * {@code /v3/kv/deleterange}, {@code /v3/watch}, {@code /v3/auth/authenticate}) over the JDK's
 * HttpClient: keys and values base64, int64 as strings. Members are tried in the URL's order. Every
 * call blocks its caller: used from {@code main}, the watch thread and {@code --sync}, never from an
 * event loop. Thread-safe (the token is volatile; a stale one is renewed once).
 */
final class EtcdClient {

    /** One key and its value, with the revision that last changed it. */
    record KeyValue(String key, String value, long modRevision) {
    }

    /** A range read: the store's revision when read, and the keys in key order. */
    record Range(long revision, List<KeyValue> kvs) {
    }

    private final EtcdUrl url;
    private final HttpClient http;
    private final String scheme;
    private volatile String token;
    private volatile int preferred;

    EtcdClient(EtcdUrl url) throws IOException {
        this.url = url;
        this.scheme = url.tls() ? "https" : "http";
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(url.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        if (url.tls()) {
            b.sslContext(sslContext(url));
        }
        this.http = b.build();
    }

    private static SSLContext sslContext(EtcdUrl url) throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (url.caFile() != null) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int n = 0;
                for (X509Certificate c : PemReader.readCertificates(PemSource.file(Path.of(url.caFile())))) {
                    trust.setCertificateEntry("ca" + n++, c);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (url.certFile() != null) {
                List<X509Certificate> chain = PemReader.readCertificates(PemSource.file(Path.of(url.certFile())));
                PrivateKey key = PemReader.readPrivateKey(PemSource.file(Path.of(url.keyFile())));
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                ks.setKeyEntry("client", key, new char[0], chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("etcd TLS files: " + e.getMessage(), e);
        }
    }

    /** Every key under the prefix ({@code prefix + "/"}), in key order. */
    Range range() throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", b64(url.prefix() + "/"));
        body.put("range_end", b64(url.prefix() + "0")); // '/' + 1: every key that starts with prefix + "/"
        Map<String, Object> r = call("/v3/kv/range", Json.write(body));
        long revision = revision(r);
        List<KeyValue> kvs = new ArrayList<>();
        if (r.get("kvs") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> kv = (Map<?, ?>) o;
                kvs.add(new KeyValue(unb64((String) kv.get("key")),
                        kv.get("value") == null ? "" : unb64((String) kv.get("value")),
                        kv.get("mod_revision") == null ? 0 : Long.parseLong((String) kv.get("mod_revision"))));
            }
        }
        return new Range(revision, kvs);
    }

    void put(String key, String value) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", b64(key));
        body.put("value", b64(value));
        call("/v3/kv/put", Json.write(body));
    }

    void delete(String key) throws IOException {
        call("/v3/kv/deleterange", Json.write(Map.of("key", b64(key))));
    }

    /**
     * Follows the prefix from {@code fromRevision}, calling {@code onEvents} with the revision of
     * each batch of changes, until the stream ends or fails (then it throws). etcd replays the changes
     * since {@code fromRevision} first, so a watch resumed after an outage misses nothing (unless
     * compacted: then {@code onEvents} is called with -1 and the caller reads everything again).
     */
    void watch(long fromRevision, Consumer<Long> onCreated, Consumer<Long> onEvents) throws IOException {
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("key", b64(url.prefix() + "/"));
        create.put("range_end", b64(url.prefix() + "0"));
        create.put("start_revision", Long.toString(fromRevision));
        String body = Json.write(Map.of("create_request", create));
        HttpResponse<InputStream> response = send("/v3/watch", body, true);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> msg = Json.object(line);
                if (msg.get("error") != null) {
                    throw new IOException("etcd watch: " + msg.get("error"));
                }
                if (!(msg.get("result") instanceof Map<?, ?> result)) {
                    continue;
                }
                if (result.get("compact_revision") != null && !"0".equals(result.get("compact_revision"))) {
                    onEvents.accept(-1L);
                    return;
                }
                @SuppressWarnings("unchecked")
                long rev = revision((Map<String, Object>) result);
                if (Boolean.TRUE.equals(result.get("created"))) {
                    onCreated.accept(rev);
                }
                if (result.get("events") instanceof List<?> events && !events.isEmpty()) {
                    onEvents.accept(rev);
                }
            }
        }
        throw new IOException("etcd watch stream ended");
    }

    private Map<String, Object> call(String path, String body) throws IOException {
        HttpResponse<InputStream> r = send(path, body, false);
        try (InputStream in = r.body()) {
            return Json.object(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** POSTs to the first member that answers; renews the auth token once when refused. */
    private HttpResponse<InputStream> send(String path, String body, boolean stream) throws IOException {
        IOException last = null;
        List<String> endpoints = url.endpoints();
        for (int n = 0; n < endpoints.size(); n++) {
            int i = (preferred + n) % endpoints.size();
            try {
                HttpResponse<InputStream> r = post(endpoints.get(i), path, body, stream);
                if (r.statusCode() == 401 && url.user() != null) {
                    r.body().close();
                    token = null;
                    r = post(endpoints.get(i), path, body, stream);
                }
                if (r.statusCode() != 200) {
                    String text;
                    try (InputStream in = r.body()) {
                        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    throw new IOException("etcd " + endpoints.get(i) + path + ": HTTP " + r.statusCode() + " " + text);
                }
                preferred = i;
                return r;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private HttpResponse<InputStream> post(String endpoint, String path, String body, boolean stream)
            throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + endpoint + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!stream) {
            b.timeout(url.timeout());
        }
        if (url.user() != null) {
            b.header("Authorization", token(endpoint));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private String token(String endpoint) throws IOException {
        String t = token;
        if (t != null) {
            return t;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", url.user());
        body.put("password", url.password() == null ? "" : url.password());
        HttpRequest req = HttpRequest.newBuilder(URI.create(scheme + "://" + endpoint + "/v3/auth/authenticate"))
                .header("Content-Type", "application/json").timeout(url.timeout())
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("etcd authentication as " + url.user() + " refused: HTTP " + r.statusCode());
            }
            t = (String) Json.object(r.body()).get("token");
            token = t;
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static long revision(Map<String, Object> r) {
        if (r.get("header") instanceof Map<?, ?> h && h.get("revision") instanceof String rev) {
            return Long.parseLong(rev);
        }
        return 0;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
