package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -c DIR --autoreload}: a change to one of the directory's *.toml files reloads the merged whole. */
class ConfigDirectoryReloadTest {

    @TempDir
    Path dir;

    @Test
    void changingOneFileOfTheDirectoryReloadsWithinASecond() throws Exception {
        int port = FreePort.pick();
        HttpClient client = HttpClient.newHttpClient();
        try (TestOrigin a = TestOrigin.start("a"); TestOrigin b = TestOrigin.start("b")) {
            ReloadingProxy.write(dir.resolve("upstreams.toml"), "[upstreams.up]\naddrs = [\"" + a.addr() + "\"]\n");
            ReloadingProxy.write(dir.resolve("servers.toml"), """
                    [locations.all]
                    path = "/"
                    upstream = "up"

                    [servers.main]
                    addr = "127.0.0.1:%d"
                    locations = ["all"]
                    """.formatted(port));
            try (ReloadingProxy proxy = ReloadingProxy.start(dir)) {
                proxy.reloader.watch();
                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
                assertEquals("a", client.send(get, HttpResponse.BodyHandlers.ofString()).body());
                ReloadingProxy.write(dir.resolve("upstreams.toml"), "[upstreams.up]\naddrs = [\"" + b.addr() + "\"]\n");
                Await.until("the upstream of the changed file answering", Duration.ofSeconds(1), () -> {
                    try {
                        return client.send(get, HttpResponse.BodyHandlers.ofString()).body().equals("b");
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }
}
