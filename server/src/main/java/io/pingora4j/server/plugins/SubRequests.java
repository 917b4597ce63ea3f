package io.pingora4j.server.plugins;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one JDK {@link HttpClient} the built-in plugins send their own requests with
 * ({@code forward_auth}'s auth calls, {@code jwt}'s key-set fetches). Its async API runs on its
 * own daemon threads, never on an event loop; a plugin hands the result back to the session's
 * loop with {@code thenApplyAsync(..., session.executor())} inside an {@code Action.defer}.
 * Made on first use; HTTP/1.1, no redirects followed (an auth service's redirect is an answer).
 *
 * <p>Thread-safe.
 */
public final class SubRequests {

    private SubRequests() {
    }

    private static final class Holder {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor())
                .build();

        private static ExecutorService executor() {
            return Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "plugin-subrequest");
                t.setDaemon(true);
                return t;
            });
        }
    }

    public static HttpClient client() {
        return Holder.CLIENT;
    }
}
