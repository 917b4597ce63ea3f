package io.pingora4j.server;

import io.pingora4j.server.admin.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the W3C WebDriver protocol (https://www.w3.org/TR/webdriver2/) over the JDK's
 * HttpClient to drive Debian's chromium through chromedriver: a headless session, navigation,
 * elements by CSS selector, typing, clicking, text and screenshots. No Selenium.
 */
final class WebDriver implements AutoCloseable {

    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebDriver(Process driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    /** Starts chromedriver and a headless chromium session; both programs must be installed. */
    static WebDriver start(Path dir) throws Exception {
        String chromedriver = Tools.path("chromedriver", "chromium-driver");
        String chromium = Tools.path("chromium", "chromium");
        int port = FreePort.pick();
        Process p = new ProcessBuilder(chromedriver, "--port=" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromedriver.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        Await.until("chromedriver ready", Duration.ofSeconds(20), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("\"ready\":true");
            } catch (Exception e) {
                return false;
            }
        });
        Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", chromium, "args", List.of("--headless=new", "--no-sandbox",
                        "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100",
                        "--user-data-dir=" + dir.resolve("profile"))))));
        Map<String, Object> r = call(http, "POST", base + "/session", caps);
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) r.get("value")).get("sessionId");
        if (id == null) {
            p.destroy();
            throw new AssertionError("no WebDriver session: " + r);
        }
        return new WebDriver(p, base, id);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> call(HttpClient http, String method, String url, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return (Map<String, Object>) Json.parse(r.body());
    }

    private Object command(String method, String path, Object body) {
        try {
            Map<String, Object> r = call(http, method, base + "/session/" + session + path, body);
            Object v = r.get("value");
            if (v instanceof Map<?, ?> m && m.get("error") != null) {
                throw new IllegalStateException(m.get("error") + ": " + m.get("message"));
            }
            return v;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    void open(String url) {
        command("POST", "/url", Map.of("url", url));
    }

    /** The element's id, or null when none matches now. */
    String find(String css) {
        try {
            Object v = command("POST", "/element", Map.of("using", "css selector", "value", css));
            return (String) ((Map<?, ?>) v).get(ELEMENT);
        } catch (IllegalStateException e) {
            if (e.getMessage().startsWith("no such element")) {
                return null;
            }
            throw e;
        }
    }

    /** Waits (deadline, no sleeps) for an element to be there. */
    String await(String css) {
        String[] found = new String[1];
        Await.until("the page showing " + css, Duration.ofSeconds(15), () -> (found[0] = find(css)) != null);
        return found[0];
    }

    String text(String css) {
        String id = find(css);
        return id == null ? null : (String) command("GET", "/element/" + id + "/text", null);
    }

    String attribute(String css, String name) {
        String id = find(css);
        return id == null ? null : (String) command("GET", "/element/" + id + "/attribute/" + name, null);
    }

    void type(String css, String text) {
        String id = await(css);
        command("POST", "/element/" + id + "/clear", Map.of());
        command("POST", "/element/" + id + "/value", Map.of("text", text));
    }

    void click(String css) {
        command("POST", "/element/" + await(css) + "/click", Map.of());
    }

    void screenshot(Path file) throws IOException {
        String png = (String) command("GET", "/screenshot", null);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() {
        try {
            command("DELETE", "", null);
        } catch (RuntimeException e) {
            // the browser is going away anyway
        }
        driver.destroy();
    }
}
