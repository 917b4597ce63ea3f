package io.pingora4j.server.admin;

import io.pingora4j.server.config.ConfigProblem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API reads from and does to the running server; the server's reloader implements
 * it. Every method is called off the event loops and may block.
 */
public interface AdminBackend {

    /** The configuration file or directory, or null when the configuration is not on local disk. */
    Path configPath();

    /**
     * Checks a candidate exactly as {@code -t} does: load (with {@code overrides}: file name → text,
     * null for a deleted file) and build; empty when it would serve.
     */
    List<ConfigProblem> validate(Map<String, String> overrides);

    /** Reloads from the source; completes with the refusal's problems, empty when the new configuration serves. */
    CompletableFuture<List<ConfigProblem>> reload();

    /** Upstream name → its backends ({@code address}, {@code healthy}, {@code breaker}...). */
    Map<String, Object> health();

    /** One entry per {@code [certificates.NAME]}: {@code name}, {@code domains}, {@code not_after}. */
    List<Object> certificates();

    /** Live figures: requests, requests per second, latency, connections. */
    Map<String, Object> stats();

    /** The last reload's outcome and the counts by result. */
    Map<String, Object> reloads();
}
