package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/CONFIG.md} true: every key a section reader reads has a row in its section's
 * table, every row names a key the reader reads, and the rows marked "no" are exactly the keys
 * accepted for Pingap compatibility but not applied. A key added without docs fails here.
 */
class ConfigReferenceTest {

    private static final Path DOC = Path.of(System.getProperty("basedir", "."), "..", "docs", "CONFIG.md").normalize();
    /** A section heading: "## `[upstreams.NAME]`". */
    private static final Pattern HEADING = Pattern.compile("^## `\\[([a-z]+)(?:\\.NAME)?]`");
    /** A key row: "| `key` | type | default | example | spelling | applied |". */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\|(.*)\\|\\s*(yes|no|partly)\\s*\\|\\s*$");

    /** What each section's reader reads, run over an empty table. */
    private static final Map<String, Consumer<TableReader>> READERS = Map.of(
            "basic", BasicReader::read,
            "upstreams", r -> UpstreamReader.read(r, "x"),
            "locations", r -> LocationReader.read(r, "x", Set.of()),
            "servers", r -> ServerReader.read(r, "x", Set.of(), new HashMap<>()),
            "certificates", r -> CertificateReader.read(r, "x"));

    private record Row(String key, String status) {
    }

    private static Map<String, List<Row>> documented() throws IOException {
        assertTrue(Files.isRegularFile(DOC), "no " + DOC);
        Map<String, List<Row>> out = new LinkedHashMap<>();
        String section = null;
        for (String line : Files.readAllLines(DOC)) {
            Matcher h = HEADING.matcher(line);
            if (h.find()) {
                section = h.group(1);
                out.put(section, new java.util.ArrayList<>());
                continue;
            }
            if (line.startsWith("## ")) {
                section = null;
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (section != null && r.matches()) {
                out.get(section).add(new Row(r.group(1), r.group(3)));
            }
        }
        return out;
    }

    @Test
    void everyKeyOfEverySectionIsDocumentedAndEveryDocumentedKeyIsRead() throws IOException {
        Map<String, List<Row>> doc = documented();
        for (Map.Entry<String, Consumer<TableReader>> e : READERS.entrySet()) {
            TableReader r = TableReader.empty(e.getKey() + ".x");
            e.getValue().accept(r);
            List<Row> rows = doc.getOrDefault(e.getKey(), List.of());
            Set<String> read = new TreeSet<>(r.keysRead());
            Set<String> rowKeys = new TreeSet<>();
            rows.forEach(row -> rowKeys.add(row.key()));
            Set<String> undocumented = new TreeSet<>(read);
            undocumented.removeAll(rowKeys);
            Set<String> unknown = new TreeSet<>(rowKeys);
            unknown.removeAll(read);
            assertEquals(Set.of(), undocumented, "[" + e.getKey() + "] keys missing from " + DOC);
            assertEquals(Set.of(), unknown, "[" + e.getKey() + "] rows of " + DOC + " that the reader does not read");
            assertEquals(rows.size(), rowKeys.size(), "[" + e.getKey() + "] a key has two rows in " + DOC);
        }
    }

    @Test
    void theKeysMarkedNotAppliedAreExactlyThoseReportedAsWarnings() throws IOException {
        Map<String, List<Row>> doc = documented();
        for (Map.Entry<String, Consumer<TableReader>> e : READERS.entrySet()) {
            TableReader r = TableReader.empty(e.getKey() + ".x");
            e.getValue().accept(r);
            Set<String> markedNo = new TreeSet<>();
            doc.getOrDefault(e.getKey(), List.of()).stream().filter(row -> row.status().equals("no"))
                    .forEach(row -> markedNo.add(row.key()));
            assertEquals(new TreeSet<>(r.notAppliedKeys()), markedNo,
                    "[" + e.getKey() + "] rows marked \"no\" in " + DOC + " versus the keys warned as not applied");
        }
    }
}
