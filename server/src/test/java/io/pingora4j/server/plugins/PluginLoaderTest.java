package io.pingora4j.server.plugins;

import static io.pingora4j.server.plugins.Tables.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {

    @TempDir
    Path tmp;

    private static boolean anyContains(List<String> problems, String... parts) {
        return problems.stream().anyMatch(p -> {
            for (String part : parts) {
                if (!p.contains(part)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void findsTheBuiltInsThroughServiceLoader() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            assertTrue(r.categories().containsAll(List.of("mock", "ping", "request_id", "response_headers")),
                    r.categories().toString());
            assertInstanceOf(MockFilterFactory.class, r.factory("mock"));
            assertTrue(r.source("ping").startsWith("built-in"), r.source("ping"));
            assertTrue(r.problems().isEmpty(), r.problems().toString());
        }
    }

    @Test
    void theExamplePluginIsNotOnTheServersClassPath() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            assertNull(r.factory("header_stamp"), "example-plugin leaked onto the test class path");
        }
    }

    @Test
    void aMissingOrEmptyPluginsFolderIsFine() throws Exception {
        try (PluginRegistry r = PluginLoader.load(tmp.resolve("nope"))) {
            assertTrue(r.problems().isEmpty());
        }
        try (PluginRegistry r = PluginLoader.load(Files.createDirectories(tmp.resolve("empty")))) {
            assertTrue(r.problems().isEmpty());
            assertNotNull(r.factory("mock"));
        }
    }

    @Test
    void aCorruptJarIsReportedByNameAndTheRestStillLoads() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(dir.resolve("broken.jar"), "this is not a zip file");

        try (PluginRegistry r = PluginLoader.load(dir)) {
            assertTrue(anyContains(r.problems(), "broken.jar", "cannot read it as a jar"), r.problems().toString());
            assertNotNull(r.factory("ping"));
        }
    }

    @Test
    void aJarWithoutAServicesFileIsReported() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(tmp, dir.resolve("lib.jar"),
                Map.of("org.lib.Util", "package org.lib; public final class Util {}"), List.of());
        try (PluginRegistry r = PluginLoader.load(dir)) {
            assertTrue(anyContains(r.problems(), "lib.jar", "META-INF/services/io.pingora4j.spi.FilterFactory"),
                    r.problems().toString());
        }
    }

    @Test
    void aJarsFactoryIsLoadedInItsOwnClassLoader() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(tmp, dir.resolve("hello.jar"),
                Map.of("org.hello.HelloFactory", TestJars.factory("org.hello", "HelloFactory", "hello",
                        "return new HttpFilter() {};")),
                List.of("org.hello.HelloFactory"));

        try (PluginRegistry r = PluginLoader.load(dir)) {
            assertTrue(r.problems().isEmpty(), r.problems().toString());
            assertNotNull(r.factory("hello"));
            assertTrue(r.source("hello").contains("hello.jar"), r.source("hello"));
            ClassLoader cl = r.factory("hello").getClass().getClassLoader();
            assertTrue(cl != PluginLoader.class.getClassLoader(), "defined by the jar's own loader");
            assertTrue(cl.getParent() == PluginLoader.class.getClassLoader(), "parent is the server's loader");
            assertNotNull(r.create("hi", table("category", "hello")));
        }
    }

    @Test
    void aCategoryOfferedTwiceNamesBothSourcesAndKeepsTheFirst() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(tmp, dir.resolve("dup.jar"),
                Map.of("org.dup.MyPing", TestJars.factory("org.dup", "MyPing", "ping", "return new HttpFilter() {};")),
                List.of("org.dup.MyPing"));

        try (PluginRegistry r = PluginLoader.load(dir)) {
            assertTrue(anyContains(r.problems(), "\"ping\"", "built-in", PingFilterFactory.class.getName(), "dup.jar",
                    "org.dup.MyPing"), r.problems().toString());
            assertInstanceOf(PingFilterFactory.class, r.factory("ping"));
        }
    }

    @Test
    void aFactoryWhoseConstructorThrowsIsReportedAndSkipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        String ctorThrows = "package org.bad;\n"
                + "import io.pingora4j.spi.*;\n"
                + "public final class Explodes implements FilterFactory {\n"
                + "  public Explodes() { throw new IllegalStateException(\"no licence key\"); }\n"
                + "  public String category() { return \"explodes\"; }\n"
                + "  public HttpFilter create(PluginConfig c) { return null; }\n"
                + "}\n";
        TestJars.build(tmp, dir.resolve("bad.jar"),
                Map.of("org.bad.Explodes", ctorThrows,
                        "org.bad.Fine", TestJars.factory("org.bad", "Fine", "fine", "return new HttpFilter() {};")),
                List.of("org.bad.Explodes", "org.bad.Fine"));

        try (PluginRegistry r = PluginLoader.load(dir)) {
            assertTrue(anyContains(r.problems(), "bad.jar", "org.bad.Explodes", "no licence key"), r.problems().toString());
            assertNull(r.factory("explodes"));
            assertNotNull(r.factory("fine"), "the jar's other factory still loads");
        }
    }

    @Test
    void aFactoryThatThrowsInCreateIsWrappedNamingThePlugin() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(tmp, dir.resolve("boom.jar"),
                Map.of("org.boom.Boom", TestJars.factory("org.boom", "Boom", "boom",
                        "throw new IllegalArgumentException(\"kaboom\");")),
                List.of("org.boom.Boom"));

        try (PluginRegistry r = PluginLoader.load(dir)) {
            PluginConfigException e = assertThrows(PluginConfigException.class,
                    () -> r.create("myBoom", table("category", "boom")));
            assertEquals("myBoom", e.plugin());
            assertTrue(e.getMessage().startsWith("plugins.myBoom: "), e.getMessage());
            assertTrue(e.getMessage().contains("boom.jar") && e.getMessage().contains("kaboom"), e.getMessage());
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        }
    }

    @Test
    void aFactoryReturningNullIsAnError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(tmp, dir.resolve("null.jar"),
                Map.of("org.nil.Nil", TestJars.factory("org.nil", "Nil", "nil", "return null;")),
                List.of("org.nil.Nil"));
        try (PluginRegistry r = PluginLoader.load(dir)) {
            PluginConfigException e = assertThrows(PluginConfigException.class, () -> r.create("n", table("category", "nil")));
            assertTrue(e.getMessage().contains("returned no filter"), e.getMessage());
        }
    }

    @Test
    void createPicksTheFactoryByCategory() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            HttpFilter f = r.create("health", table("category", "ping", "path", "/hz"));
            assertInstanceOf(PingFilterFactory.PingFilter.class, f);
        }
    }

    @Test
    void anUnknownCategoryIsAConfigErrorListingTheKnownOnes() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            PluginConfigException e = assertThrows(PluginConfigException.class,
                    () -> r.create("x", table("category", "jwtt")));
            assertEquals("category", e.key());
            assertTrue(e.getMessage().contains("jwtt") && e.getMessage().contains("mock"), e.getMessage());
        }
    }

    @Test
    void aMissingCategoryIsAConfigError() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            PluginConfigException e = assertThrows(PluginConfigException.class, () -> r.create("x", table("path", "/")));
            assertEquals("plugins.x.category: is required", e.getMessage());
        }
    }

    @Test
    void aFactorysOwnValidationErrorPassesThrough() {
        try (PluginRegistry r = PluginLoader.load(null)) {
            PluginConfigException e = assertThrows(PluginConfigException.class,
                    () -> r.create("m", table("category", "mock", "status", "five hundred")));
            assertEquals("status", e.key());
            assertTrue(e.getMessage().startsWith("plugins.m.status: expected an integer"), e.getMessage());
        }
    }
}
