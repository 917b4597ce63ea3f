package io.pingora4j.server.config;

/** The TOML examples of the seed document (shared/seeds/001_*.txt), verbatim. */
public final class SeedExamples {

    private SeedExamples() {
    }

    public static final String BASIC = """
            [basic]
            name = "pingap-go"
            threads = 4
            grace_period = "30s"

            [upstreams.backend_api]
            addrs = ["127.0.0.1:8001", "127.0.0.1:8002"]
            algorithm = "round_robin"
            health_check = "http://127.0.0.1:8001/health"
            connection_timeout = "10s"

            [locations.api]
            upstream = "backend_api"
            path = "/api"
            path_type = "prefix"
            rewrite = "/"

            [servers.http]
            addr = "0.0.0.0:80"
            locations = ["api"]
            """;

    public static final String LOAD_BALANCING = """
            # Round Robin (default)
            [upstreams.rr]
            addrs = ["server1:8080", "server2:8080"]
            algorithm = "round_robin"

            # Weighted Round Robin
            [upstreams.wrr]
            addrs = ["server1:8080", "server2:8080"]
            algorithm = "weighted_round_robin"
            weights = [3, 1]  # server1 gets 75% of traffic

            # Least Connections
            [upstreams.lc]
            addrs = ["server1:8080", "server2:8080"]
            algorithm = "least_conn"

            # IP Hash (sticky sessions)
            [upstreams.iphash]
            addrs = ["server1:8080", "server2:8080"]
            algorithm = "ip_hash"
            """;

    public static final String ROUTING_RULES = """
            # Exact path match
            [locations.exact]
            upstream = "backend"
            path = "/api/v1/users"
            path_type = "exact"
            priority = 100

            # Prefix match
            [locations.prefix]
            upstream = "backend"
            path = "/static"
            path_type = "prefix"
            priority = 50

            # Regex match
            [locations.regex]
            upstream = "backend"
            path = "^/api/v[0-9]+/"
            path_type = "regex"
            priority = 75

            # Host-based routing
            [locations.host_routing]
            upstream = "backend"
            host = "api.example.com"
            path = "/"
            """;

    public static final String HEADER_MANIPULATION = """
            [locations.api]
            upstream = "backend"
            path = "/api"

            # Add headers
            headers_add = [
                "X-Forwarded-Proto: https",
                "X-Custom-Header: value"
            ]

            # Remove headers
            headers_remove = ["Server", "X-Powered-By"]

            # Set headers (key-value)
            [locations.api.headers_set]
            X-Frame-Options = "DENY"
            X-Content-Type-Options = "nosniff"

            # Proxy headers to upstream
            [locations.api.proxy_set_headers]
            Host = "internal.backend.local"
            X-Real-IP = "$remote_addr"
            """;

    /**
     * The routing and header examples name an upstream "backend" they do not define (the document
     * shows fragments); a whole file needs it, as Pingap would also refuse the dangling reference.
     */
    public static final String BACKEND_UPSTREAM = """

            [upstreams.backend]
            addrs = ["127.0.0.1:9000"]
            """;
}
