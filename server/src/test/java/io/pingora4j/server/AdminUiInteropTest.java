package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web admin in Debian's chromium (headless, driven through chromedriver): log in, see the
 * upstream's backends with their health, edit a location's response header through its form (a
 * bad value shows its error beside the field), and see the proxy answer with the new header.
 * Leaves a screenshot at {@code server/target/admin-ui.png} for a person to look at.
 */
@Tag("interop")
class AdminUiInteropTest {

    @TempDir
    Path dir;

    @Test
    void logInSeeHealthEditALocationHeaderAndSeeTheProxyApplyIt() throws Exception {
        int port = FreePort.pick();
        HttpClient client = HttpClient.newHttpClient();
        try (TestOrigin a = TestOrigin.start("a")) {
            String config = AdminApiEndToEndTest.baseConfig(port, a)
                    .replace("upstream = \"up\"", "upstream = \"up\"\nheaders_set = [\"X-Stage: v1\"]");
            ReloadingProxy.write(dir.resolve("pingora4j.toml"), config);
            try (ReloadingProxy proxy = ReloadingProxy.start(dir.resolve("pingora4j.toml"));
                 WebDriver browser = WebDriver.start(dir)) {
                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
                Thread traffic = new Thread(() -> { // some traffic for the chart while the test runs
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            client.send(get, HttpResponse.BodyHandlers.ofString());
                            Thread.sleep(20); // pacing the background load, not synchronisation
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            // counted nowhere: the chart only needs some requests
                        }
                    }
                });
                traffic.setDaemon(true);
                traffic.start();
                browser.open("http://127.0.0.1:" + port + "/admin");
                browser.type("#user", "admin");
                browser.type("#password", "s3cret");
                browser.click("#login");
                browser.await(".item[data-category='servers'][data-name='main']");

                browser.click("#tabs button[data-tab='upstreams']");
                String backend = ".item[data-name='up'] .backend[data-address='" + a.addr() + "'] .healthy";
                browser.await(backend);
                assertEquals("healthy", browser.text(backend));

                browser.click("#tabs button[data-tab='locations']");
                String headers = ".item[data-name='all'] input[data-field='headers_set']";
                browser.type(headers, "[\"no colon here\"]");
                browser.click(".item[data-name='all'] .save");
                String error = ".item[data-name='all'] .error[data-field='headers_set']";
                Await.until("the validation error beside the field", Duration.ofSeconds(10), () -> {
                    String t = browser.text(error);
                    return t != null && !t.isBlank();
                });
                assertTrue(browser.text(error).contains("no colon here"), browser.text(error));

                browser.type(headers, "[\"X-Stage: v2\"]");
                browser.click(".item[data-name='all'] .save");
                Await.until("the proxy answering with the header set through the form", Duration.ofSeconds(10), () -> {
                    try {
                        return client.send(get, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Stage")
                                .orElse("").equals("v2");
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertTrue(Files.readString(dir.resolve("pingora4j.toml")).contains("X-Stage: v2"));
                Await.until("the form saying saved", Duration.ofSeconds(10),
                        () -> "saved".equals(browser.text(".item[data-name='all'] .form-status")));
                Await.until("a few seconds of traffic in the chart", Duration.ofSeconds(15), () -> {
                    String n = browser.attribute("#chart", "data-samples");
                    return n != null && Integer.parseInt(n) >= 4;
                });
                assertTrue(browser.text("#figures").contains("requests"), browser.text("#figures"));
                browser.screenshot(Path.of("target", "admin-ui.png"));
                traffic.interrupt();
            }
        }
    }
}
