package io.pingora4j.server.admin;

import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.ProxyConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API reads from and does to the running server; the server's reloader implements
 * it. Every method is called off the event loops and may block.
 */
public interface AdminBackend {

    /** Where the configuration is read from and written to, or null when the admin cannot write it. */
    ConfigStore store();

    /**
     * Finishes checking a candidate loaded by {@link ConfigStore.Change#load()} exactly as {@code -t}
     * does: builds its runtime (without serving it); empty when it would serve.
     */
    List<ConfigProblem> validate(ProxyConfig candidate);

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
