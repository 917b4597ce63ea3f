package io.pingora4j.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * The configuration as its files hold it, for the admin API to show and edit: each file's tables
 * as plain values (what {@code TableReader.plain} makes), by file. A file (or a directory of
 * {@code *.toml} in name order). Reading only; validation is {@link ConfigLoader}'s.
 */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** File → its top-level tables ("basic" → table; "upstreams" → name → table; ...), files in load order. */
    @SuppressWarnings("unchecked")
    public static Map<Path, Map<String, Object>> read(Path path) throws ConfigException {
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (var stream = Files.list(path)) {
                files = stream.filter(f -> f.getFileName().toString().endsWith(".toml") && Files.isRegularFile(f))
                        .sorted().toList();
            } catch (IOException e) {
                throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "cannot list: " + e)));
            }
        } else {
            files = List.of(path);
        }
        Map<Path, Map<String, Object>> out = new LinkedHashMap<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(List.of(new ConfigProblem(f.toString(), "", "cannot read: " + e)));
            }
            out.put(f, tables(f.toString(), text));
        }
        return out;
    }

    /** One document's top-level tables as plain, mutable values; {@code name} names it in the problem. */
    public static Map<String, Object> tables(String name, String text) throws ConfigException {
        TomlParseResult r = Toml.parse(text);
        if (r.hasErrors()) {
            throw new ConfigException(List.of(new ConfigProblem(name, "", "TOML syntax error: "
                    + r.errors().get(0).getMessage())));
        }
        Map<String, Object> tables = new LinkedHashMap<>();
        for (String k : r.keySet()) {
            tables.put(k, deepCopy(TableReader.plain(r.get(List.of(k)))));
        }
        return tables;
    }

    /** A mutable copy of a plain value (maps keep their order). */
    @SuppressWarnings("unchecked")
    public static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, x) -> c.put(k, deepCopy(x)));
            return c;
        }
        if (v instanceof List<?> l) {
            List<Object> c = new java.util.ArrayList<>();
            for (Object x : l) {
                c.add(deepCopy(x));
            }
            return c;
        }
        return v;
    }
}
