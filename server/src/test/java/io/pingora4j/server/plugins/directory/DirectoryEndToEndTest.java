package io.pingora4j.server.plugins.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.PluginServer;
import io.pingora4j.server.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code directory} through the real server, on a location without upstream. */
class DirectoryEndToEndTest {

    @TempDir
    Path tmp;
    private Path www;
    private byte[] blob;
    private PluginServer proxy;

    @BeforeEach
    void files() throws IOException {
        www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<h1>home</h1>");
        Files.writeString(www.resolve("a.txt"), "hello text");
        blob = new byte[16 * 1024];
        new Random(7).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        Files.createDirectories(www.resolve("sub"));
        Files.writeString(www.resolve("sub/b.css"), "b{}");
        Files.writeString(www.resolve(".hidden"), "x");
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(www.resolve("escape.txt"), tmp.resolve("secret.txt"));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private void start(String keys) {
        proxy = PluginServer.startWith(null, "directory", "path = \"" + www + "\"\n" + keys);
    }

    @Test
    void theRootServesTheIndexAndAFileGetsItsTypeAndValidators() throws IOException {
        start("charset = \"utf-8\"\nmax_age = \"1h\"\nheaders = [\"X-Content-Type-Options: nosniff\"]");

        RawHttp.Response index = RawHttp.get(proxy.port(), "/");
        RawHttp.Response txt = RawHttp.get(proxy.port(), "/a.txt");

        assertEquals(200, index.status());
        assertEquals("<h1>home</h1>", index.body());
        assertEquals("text/html; charset=utf-8", index.header("Content-Type"));
        assertNull(index.header("Cache-Control"), "max_age is not applied to text/html");
        assertEquals("hello text", txt.body());
        assertEquals("text/plain; charset=utf-8", txt.header("Content-Type"));
        assertEquals("max-age=3600", txt.header("Cache-Control"));
        assertEquals("nosniff", txt.header("X-Content-Type-Options"));
        assertEquals("bytes", txt.header("Accept-Ranges"));
        assertTrue(txt.header("ETag").matches("W/\"a-[0-9a-f]+\""), txt.header("ETag"));
        assertTrue(txt.header("Last-Modified").endsWith("GMT"), txt.header("Last-Modified"));
    }

    @Test
    void aBinaryFileIsServedByteForByte() throws IOException {
        start("");

        RawHttp.Response r = RawHttp.get(proxy.port(), "/blob.bin");

        assertEquals("application/octet-stream", r.header("Content-Type"));
        assertEquals("16384", r.header("Content-Length"));
        assertArrayEquals(blob, r.bodyBytes());
    }

    @Test
    void rangesAreAnswered206AndAnUnsatisfiableOne416() throws IOException {
        start("");

        RawHttp.Response first = RawHttp.get(proxy.port(), "/blob.bin", "Range: bytes=0-1023");
        RawHttp.Response suffix = RawHttp.get(proxy.port(), "/blob.bin", "Range: bytes=-100");
        RawHttp.Response open = RawHttp.get(proxy.port(), "/blob.bin", "Range: bytes=16000-");
        RawHttp.Response bad = RawHttp.get(proxy.port(), "/blob.bin", "Range: bytes=20000-30000");

        assertEquals(206, first.status());
        assertEquals("bytes 0-1023/16384", first.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, 0, 1024), first.bodyBytes());
        assertArrayEquals(Arrays.copyOfRange(blob, 16284, 16384), suffix.bodyBytes());
        assertEquals("bytes 16000-16383/16384", open.header("Content-Range"));
        assertEquals(416, bad.status());
        assertEquals("bytes */16384", bad.header("Content-Range"));
    }

    @Test
    void aMatchingEtagOrAnUnchangedDateIsAnswered304() throws IOException {
        start("");
        RawHttp.Response r = RawHttp.get(proxy.port(), "/a.txt");

        RawHttp.Response byEtag = RawHttp.get(proxy.port(), "/a.txt", "If-None-Match: " + r.header("ETag"));
        RawHttp.Response byDate = RawHttp.get(proxy.port(), "/a.txt", "If-Modified-Since: " + r.header("Last-Modified"));
        RawHttp.Response changed = RawHttp.get(proxy.port(), "/a.txt", "If-None-Match: W/\"other\"");

        assertEquals(304, byEtag.status());
        assertEquals(0, byEtag.bodyBytes().length);
        assertEquals(304, byDate.status());
        assertEquals(200, changed.status());
    }

    @Test
    void headGivesTheLengthWithoutTheBody() throws IOException {
        start("");

        RawHttp.Response r = RawHttp.exchange(proxy.port(), "HEAD /blob.bin HTTP/1.1", "Host: localhost");

        assertEquals(200, r.status());
        assertEquals("16384", r.header("Content-Length"));
        assertEquals(0, r.bodyBytes().length);
    }

    @Test
    void noWayOutOfTheFolder() throws IOException {
        start("");

        assertEquals(403, RawHttp.get(proxy.port(), "/%2e%2e/secret.txt").status());
        assertEquals(403, RawHttp.get(proxy.port(), "/sub/..%2f..%2fsecret.txt").status());
        assertEquals(400, RawHttp.get(proxy.port(), "/..%5csecret.txt").status());
        RawHttp.Response link = RawHttp.get(proxy.port(), "/escape.txt");
        assertEquals(403, link.status(), "a symbolic link out of the folder is refused by default");
        assertFalse(link.body().contains("secret"));
    }

    @Test
    void followSymlinksLetsALinkOut() throws IOException {
        start("follow_symlinks = true");

        assertEquals("secret", RawHttp.get(proxy.port(), "/escape.txt").body());
    }

    @Test
    void aMissingFileOrAFolderWithoutAutoindexIs404AndAPostIs405() throws IOException {
        start("");

        assertEquals(404, RawHttp.get(proxy.port(), "/nope.txt").status());
        assertEquals(404, RawHttp.get(proxy.port(), "/sub/").status());
        RawHttp.Response post = RawHttp.exchange(proxy.port(), "POST /a.txt HTTP/1.1", "Host: localhost", "Content-Length: 0");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
    }

    @Test
    void autoindexListsAFolderWithoutDotfilesAndDownloadAddsADisposition() throws IOException {
        start("autoindex = true\ndownload = true");

        RawHttp.Response list = RawHttp.get(proxy.port(), "/");
        RawHttp.Response file = RawHttp.get(proxy.port(), "/sub/b.css");

        assertEquals(200, list.status());
        assertTrue(list.body().contains("<a href=\"/a.txt\">a.txt</a>"), list.body());
        assertTrue(list.body().contains("<a href=\"/sub/\">sub/</a>"), list.body());
        assertFalse(list.body().contains(".hidden"));
        assertEquals("text/css", file.header("Content-Type"));
        assertEquals("attachment; filename=\"b.css\"", file.header("Content-Disposition"));
    }

    @Test
    void checkRefusesAFolderThatDoesNotExist() {
        PluginServer.Check c = PluginServer.check(tmp, PluginServer.onePlugin(null, 1, "directory",
                "path = \"" + tmp.resolve("missing") + "\""));

        assertEquals(1, c.code());
        assertTrue(c.err().contains("plugins.p.path: cannot open the folder"), c.err());
    }

    @Test
    void withCacheValidZeroAChangedFileIsSeenAtOnce() throws IOException {
        start("cache_valid = \"0s\"");
        assertEquals("hello text", RawHttp.get(proxy.port(), "/a.txt").body());

        Files.writeString(www.resolve("a.txt"), "changed");

        assertEquals("changed", RawHttp.get(proxy.port(), "/a.txt").body());
    }

    @Test
    void aFileHeldInMemoryIsAnsweredAgainWithRangesAndValidators() throws IOException {
        start("cache_valid = \"1h\"");
        RawHttp.Response first = RawHttp.get(proxy.port(), "/blob.bin");

        RawHttp.Response again = RawHttp.get(proxy.port(), "/blob.bin");
        RawHttp.Response range = RawHttp.get(proxy.port(), "/blob.bin", "Range: bytes=100-199");
        RawHttp.Response cond = RawHttp.get(proxy.port(), "/blob.bin", "If-None-Match: " + first.header("ETag"));

        assertArrayEquals(blob, again.bodyBytes());
        assertEquals(first.header("ETag"), again.header("ETag"));
        assertArrayEquals(Arrays.copyOfRange(blob, 100, 200), range.bodyBytes());
        assertEquals(304, cond.status());
    }

    @Test
    void aNonAsciiFileNameIsFoundByItsEncodedPath() throws IOException {
        Files.writeString(www.resolve("café.txt"), "au lait", StandardCharsets.UTF_8);
        start("");

        assertEquals("au lait", RawHttp.get(proxy.port(), "/caf%C3%A9.txt").body());
    }
}
