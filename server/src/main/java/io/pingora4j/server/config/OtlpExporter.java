package io.pingora4j.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An {@code otlp_exporter} value: where spans go over OTLP/HTTP (protobuf), and under which service
 * name. {@code "http://collector:4318"} sends to {@code /v1/traces} there; a URL that names the
 * path ({@code ".../v1/traces"}) is used as written; any other path is Pingap's way of naming the
 * service ({@code "http://collector:4318/edge"}: service "edge", spans to {@code /v1/traces}).
 *
 * @param endpoint    the full URL spans are POSTed to
 * @param serviceName the service name from the URL's path, or null (then {@code [basic] name})
 */
public record OtlpExporter(String endpoint, String serviceName) {

    public static final String TRACES_PATH = "/v1/traces";

    /**
     * Parses a value.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static OtlpExporter parse(String value) {
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new IllegalArgumentException("expected an OTLP/HTTP URL such as \"http://collector:4318\", got \""
                    + v + "\" (gRPC on 4317 is not spoken: use the collector's OTLP/HTTP port)");
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URL has no host: \"" + v + "\"");
        }
        if (uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("the URL takes no query or credentials: \"" + v + "\"");
        }
        String base = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.isEmpty() || path.equals("/")) {
            return new OtlpExporter(base + TRACES_PATH, null);
        }
        if (path.endsWith(TRACES_PATH)) {
            return new OtlpExporter(base + path, null);
        }
        String service = path.substring(1);
        if (service.endsWith("/")) {
            service = service.substring(0, service.length() - 1);
        }
        if (service.isEmpty() || service.indexOf('/') >= 0) {
            throw new IllegalArgumentException("the URL's path is a service name (\"/edge\") or " + TRACES_PATH
                    + ", got \"" + path + "\"");
        }
        return new OtlpExporter(base + TRACES_PATH, service);
    }

    @Override
    public String toString() {
        return endpoint + (serviceName == null ? "" : " (service " + serviceName + ")");
    }
}
