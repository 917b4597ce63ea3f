package io.pingora4j.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Pingap's admin API, under a path prefix: read the configuration (whole, a category, an item),
 * create/replace and delete an item, and read upstream health, certificates, live figures and the
 * last reload. A write is checked exactly as {@code -t} checks a file (the candidate is loaded and
 * built as it would be written), written to the {@link ConfigStore} (a file or directory, see
 * {@link FileConfigStore}; or etcd, one key per item), then reloaded; a second write while one is
 * still applying gets 409, and a store that does not answer 503. The web UI's files are served from the jar at the prefix.
 *
 * <p>Access: HTTP Basic against {@code authorizations} (base64 "user:password", as Pingap writes
 * them); none configured means open (the loader allows that on loopback only). An address that
 * fails {@code ipFailLimit} times is answered 403 for {@link #BLOCK_MILLIS}.
 *
 * <p>Thread-safe; runs on the JDK HTTP server's threads, never on an event loop.
 */
public final class AdminApi implements HttpHandler {

    /** How long an address that failed too often is refused. */
    static final long BLOCK_MILLIS = TimeUnit.MINUTES.toMillis(5);
    /** Bodies larger than this are refused (413): a configuration item is small. */
    static final int MAX_BODY = 1 << 20;
    /** The header the admin plugin proves itself with to its own API server. */
    public static final String SECRET_HEADER = "X-Pingora4j-Admin-Secret";
    /** The client address the admin plugin saw (trusted only with the secret). */
    public static final String CLIENT_HEADER = "X-Pingora4j-Admin-Client";

    private static final Set<String> CATEGORIES =
            Set.of("upstreams", "locations", "servers", "plugins", "certificates", "storages");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final String prefix;
    private final Set<String> authorizations;
    private final int ipFailLimit;
    private final String secret;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile AdminBackend backend;

    private static final class Failures {
        int count;
        long blockedUntil;
    }

    /**
     * @param prefix         the path the API lives under ("/admin"; "" or "/" for the root)
     * @param authorizations base64 "user:password" values; empty: no authentication
     * @param ipFailLimit    failed logins from one address before it is blocked; 0: never blocked
     * @param secret         when not null, only requests carrying it in {@link #SECRET_HEADER} are served
     *                       (the admin plugin's own server), and their client is {@link #CLIENT_HEADER}
     */
    public AdminApi(String prefix, List<String> authorizations, int ipFailLimit, String secret) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.prefix = p;
        this.authorizations = Set.copyOf(authorizations);
        this.ipFailLimit = ipFailLimit;
        this.secret = secret;
    }

    public String prefix() {
        return prefix;
    }

    /** Starts answering with {@code backend} (until then: 503). */
    public void bind(AdminBackend backend) {
        this.backend = backend;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String client = ex.getRemoteAddress().getAddress().getHostAddress();
            if (secret != null) {
                String s = ex.getRequestHeaders().getFirst(SECRET_HEADER);
                if (s == null || !MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8),
                        secret.getBytes(StandardCharsets.UTF_8))) {
                    send(ex, 403, Map.of("error", "forbidden"));
                    return;
                }
                String c = ex.getRequestHeaders().getFirst(CLIENT_HEADER);
                if (c != null) {
                    client = c;
                }
            }
            String path = ex.getRequestURI().getRawPath();
            boolean ui = !path.startsWith(prefix + "/api/"); // the UI's files hold no secret: its login form needs them
            if (!ui && !authorized(ex, client)) {
                return;
            }
            if (!path.startsWith(prefix)) {
                send(ex, 404, Map.of("error", "not under " + prefix));
                return;
            }
            String rest = path.substring(prefix.length());
            AdminBackend b = backend;
            if (b == null) {
                send(ex, 503, Map.of("error", "the server is starting"));
                return;
            }
            route(ex, b, rest);
        } catch (RuntimeException e) {
            send(ex, 500, Map.of("error", e.toString()));
        }
    }

    /** Basic authentication and the failure limit; answers 401/403 itself and returns false. */
    private boolean authorized(HttpExchange ex, String client) throws IOException {
        long now = System.currentTimeMillis();
        Failures f = failures.get(client);
        if (f != null) {
            synchronized (f) {
                if (f.blockedUntil > now) {
                    send(ex, 403, Map.of("error", "too many failed logins from " + client));
                    return false;
                }
            }
        }
        if (authorizations.isEmpty()) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)
                && authorizations.contains(auth.substring(6).strip())) {
            failures.remove(client);
            return true;
        }
        if (auth != null) { // a wrong password counts; a first visit without credentials does not
            Failures mine = failures.computeIfAbsent(client, k -> new Failures());
            synchronized (mine) {
                mine.count++;
                if (ipFailLimit > 0 && mine.count >= ipFailLimit) {
                    mine.blockedUntil = now + BLOCK_MILLIS;
                    mine.count = 0;
                    send(ex, 403, Map.of("error", "too many failed logins from " + client));
                    return false;
                }
            }
        }
        if (!"pingora4j-ui".equals(ex.getRequestHeaders().getFirst("X-Requested-With"))) {
            // the UI logs in with its own form; a challenge would make the browser prompt as well
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"pingora4j admin\", charset=\"UTF-8\"");
        }
        send(ex, 401, Map.of("error", "authentication required"));
        return false;
    }

    private void route(HttpExchange ex, AdminBackend b, String rest) throws IOException {
        String method = ex.getRequestMethod();
        if (!rest.startsWith("/api/")) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(ex, 405, Map.of("error", "method not allowed"));
                return;
            }
            if (rest.isEmpty()) { // the page's relative links need the trailing slash
                ex.getResponseHeaders().set("Location", prefix + "/");
                ex.sendResponseHeaders(301, -1);
                return;
            }
            asset(ex, rest.equals("/") ? "index.html" : rest.substring(1));
            return;
        }
        String[] parts = rest.substring("/api/".length()).split("/", -1);
        switch (parts[0]) {
            case "config" -> config(ex, b, parts);
            case "health" -> get(ex, method, b::health);
            case "certificates" -> get(ex, method, b::certificates);
            case "stats" -> get(ex, method, b::stats);
            case "reloads" -> get(ex, method, b::reloads);
            default -> send(ex, 404, Map.of("error", "no such endpoint: " + rest));
        }
    }

    private void get(HttpExchange ex, String method, java.util.function.Supplier<Object> what) throws IOException {
        if (!method.equals("GET")) {
            send(ex, 405, Map.of("error", "method not allowed"));
            return;
        }
        send(ex, 200, what.get());
    }

    /** The web UI's files, from the jar: only names of our own, never a path out of the folder. */
    private void asset(HttpExchange ex, String name) throws IOException {
        if (!name.matches("[a-z0-9_-]+\\.(html|js|css|svg)")) {
            send(ex, 404, Map.of("error", "not found"));
            return;
        }
        try (InputStream in = AdminApi.class.getResourceAsStream("ui/" + name)) {
            if (in == null) {
                send(ex, 404, Map.of("error", "not found"));
                return;
            }
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void config(HttpExchange ex, AdminBackend b, String[] parts) throws IOException {
        String method = ex.getRequestMethod();
        ConfigStore store = b.store();
        if (store == null) {
            send(ex, 501, Map.of("error", "the configuration is neither a local file nor a store the admin can write"));
            return;
        }
        if (parts.length > 3 || (parts.length >= 2 && parts[1].isEmpty())) {
            send(ex, 404, Map.of("error", "use api/config, api/config/CATEGORY or api/config/CATEGORY/NAME"));
            return;
        }
        if (parts.length < 3 && !method.equals("GET")) {
            send(ex, 405, Map.of("error", "method not allowed"));
            return;
        }
        if (method.equals("GET")) {
            Map<String, Object> all;
            try {
                all = store.read();
            } catch (ConfigException e) {
                send(ex, 500, Map.of("problems", problems(e.problems())));
                return;
            } catch (ConfigStore.Unavailable e) {
                send(ex, 503, Map.of("error", e.getMessage()));
                return;
            }
            Object out = all;
            for (int i = 1; i < parts.length && out != null; i++) {
                out = ((Map<String, Object>) out).get(parts[i]);
            }
            if (out == null) {
                send(ex, 404, Map.of("error", "not in the configuration: " + String.join(".", List.of(parts).subList(1, parts.length))));
            } else {
                send(ex, 200, out);
            }
            return;
        }
        String category = parts[1];
        String name = parts[2];
        if (!CATEGORIES.contains(category) || !NAME.matcher(name).matches()) {
            send(ex, 400, Map.of("problems", List.of(problem(store.describe(), category + "." + name,
                    "expected api/config/CATEGORY/NAME with CATEGORY one of " + new java.util.TreeSet<>(CATEGORIES)
                            + " and NAME of letters, digits, '_' and '-'"))));
            return;
        }
        Map<String, Object> table = null;
        if (method.equals("PUT") || method.equals("POST")) {
            byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                send(ex, 413, Map.of("error", "body over " + MAX_BODY + " bytes"));
                return;
            }
            try {
                Object parsed = Json.parse(new String(body, StandardCharsets.UTF_8));
                if (!(parsed instanceof Map)) {
                    throw new IllegalArgumentException("expected a JSON object (the item's table)");
                }
                table = (Map<String, Object>) parsed;
            } catch (IllegalArgumentException e) {
                send(ex, 400, Map.of("problems", List.of(problem(store.describe(), category + "." + name, e.getMessage()))));
                return;
            }
        } else if (!method.equals("DELETE")) {
            send(ex, 405, Map.of("error", "method not allowed"));
            return;
        }
        if (!writing.compareAndSet(false, true)) {
            send(ex, 409, Map.of("error", "a previous write is still being applied; try again"));
            return;
        }
        Answer answer;
        try {
            answer = write(b, store, category, name, table);
        } catch (ConfigStore.Unavailable e) {
            answer = new Answer(503, Map.of("error", e.getMessage()));
        } finally {
            writing.set(false); // before answering: a client that writes again on our answer is not refused
        }
        send(ex, answer.status(), answer.json());
    }

    /** A status and its JSON body, sent once the write lock is released. */
    private record Answer(int status, Object json) {
    }

    /** Changes one item: candidate, check as -t, write, reload. */
    private Answer write(AdminBackend b, ConfigStore store, String category, String name,
                         Map<String, Object> table) throws IOException, ConfigStore.Unavailable {
        ConfigStore.Change change;
        try {
            change = store.prepare(category, name, table);
        } catch (ConfigException e) {
            return new Answer(500, Map.of("problems", problems(e.problems())));
        }
        if (change == null) {
            return new Answer(404, Map.of("error", "not in the configuration: " + category + "." + name));
        }
        List<ConfigProblem> problems;
        try {
            problems = b.validate(change.load());
        } catch (ConfigException e) {
            problems = e.problems();
        }
        if (!problems.isEmpty()) {
            return new Answer(400, Map.of("problems", problems(problems)));
        }
        change.apply();
        // Under --autoreload the store's watch reloads on this write as well: reloads run one at a
        // time on the reloader's thread and both read what was just written, so the second finds
        // every table unchanged and carries the runtime's upstreams and plugins over as they are.
        List<ConfigProblem> refused;
        try {
            refused = b.reload().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return new Answer(500, Map.of("error", "written to " + change.target() + ", but the reload did not finish: " + e));
        }
        if (!refused.isEmpty()) {
            return new Answer(400, Map.of("problems", problems(refused), "written", change.target()));
        }
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("ok", true);
        ok.put("file", change.target());
        return new Answer(200, ok);
    }

    static List<Object> problems(List<ConfigProblem> problems) {
        List<Object> out = new ArrayList<>();
        for (ConfigProblem p : problems) {
            out.add(problem(p.file(), p.key(), p.reason()));
        }
        return out;
    }

    private static Map<String, Object> problem(String file, String key, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("key", key);
        m.put("reason", reason);
        return m;
    }

    private static void send(HttpExchange ex, int status, Object json) throws IOException {
        byte[] body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
