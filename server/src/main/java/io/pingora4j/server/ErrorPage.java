package io.pingora4j.server;

import io.pingora4j.codec.h1.ResponseHead;
import java.nio.charset.StandardCharsets;

/**
 * Pingap's {@code [basic] error_template}: the HTML page of the errors the proxy answers itself
 * (502/503/504 from an upstream, 404 when no location matches, 429 from max_processing...), with
 * {@code {{status}}}, {@code {{content}}} (the status and its reason phrase, e.g. "502 Bad
 * Gateway": never the internal error, which may name backends) and {@code {{version}}} replaced.
 *
 * <p>Immutable and thread-safe.
 */
final class ErrorPage {

    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private final String template;
    private final String version;

    ErrorPage(String template, String version) {
        this.template = template;
        this.version = version;
    }

    /** Whether a value of {@code error_template} is the HTML itself (else it names a file). */
    static boolean isInline(String value) {
        return value.indexOf('<') >= 0 || value.indexOf('\n') >= 0;
    }

    byte[] render(int status) {
        String content = status + " " + ResponseHead.reasonPhrase(status);
        return template.replace("{{status}}", Integer.toString(status)).replace("{{content}}", content)
                .replace("{{version}}", version).getBytes(StandardCharsets.UTF_8);
    }
}
