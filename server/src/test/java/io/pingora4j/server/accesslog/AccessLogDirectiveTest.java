package io.pingora4j.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Pingap's {@code access_log} value: a format alone, or a destination then a format. */
class AccessLogDirectiveTest {

    @Test
    void aTemplateAlone() {
        AccessLog.Directive d = AccessLog.Directive.parse("{when} {host} {method} {path}");
        assertNull(d.destination());
        assertEquals("{when} {host} {method} {path}", d.format());
    }

    @Test
    void aPresetAlone() {
        assertEquals(new AccessLog.Directive(null, "combined"), AccessLog.Directive.parse("combined"));
    }

    @Test
    void aFileThenATemplate() {
        AccessLog.Directive d = AccessLog.Directive.parse("/var/log/pingap.log {when} {host} {method} {path}");
        assertEquals("/var/log/pingap.log", d.destination());
        assertEquals("{when} {host} {method} {path}", d.format());
    }

    @Test
    void stdoutThenAPreset() {
        assertEquals(new AccessLog.Directive("stdout", "tiny"), AccessLog.Directive.parse("stdout tiny"));
    }

    @Test
    void textWithSpacesThatIsNotADestinationStaysAFormat() {
        AccessLog.Directive d = AccessLog.Directive.parse("access: method {method}");
        assertNull(d.destination());
        assertEquals("access: method {method}", d.format());
    }

    @Test
    void aFirstWordBeforeATemplateIsTheDestinationAsInPingap() {
        assertEquals(new AccessLog.Directive("logs/access.log", "{method}"),
                AccessLog.Directive.parse("logs/access.log {method}"));
    }
}
