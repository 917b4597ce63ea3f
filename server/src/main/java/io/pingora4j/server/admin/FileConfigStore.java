package io.pingora4j.server.admin;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigFiles;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration as a local file or a directory of {@code *.toml} files. An item is written to
 * the file that holds it; a new one to {@code CATEGORY.toml} in a directory, else to the single
 * file. A file is replaced atomically (written beside it, then moved over it); a directory's file
 * left with no table is deleted. Thread-safe; the admin API writes one change at a time.
 */
public final class FileConfigStore implements ConfigStore {

    private final Path path;

    public FileConfigStore(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public Map<String, Object> read() throws ConfigException {
        return merged(ConfigFiles.read(path).values());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Change prepare(String category, String name, Map<String, Object> table) throws ConfigException {
        Map<Path, Map<String, Object>> files = ConfigFiles.read(path);
        Path found = null;
        for (Map.Entry<Path, Map<String, Object>> f : files.entrySet()) {
            if (f.getValue().get(category) instanceof Map<?, ?> m && m.containsKey(name)) {
                found = f.getKey();
            }
        }
        if (found == null && table == null) {
            return null;
        }
        Path target = found != null ? found : Files.isDirectory(path) ? path.resolve(category + ".toml") : path;
        Map<String, Object> tables = files.computeIfAbsent(target, k -> new LinkedHashMap<>());
        Map<String, Object> section = (Map<String, Object>) tables.computeIfAbsent(category, k -> new LinkedHashMap<>());
        if (table == null) {
            section.remove(name);
            if (section.isEmpty()) {
                tables.remove(category);
            }
        } else {
            section.put(name, table);
        }
        boolean deleteFile = tables.isEmpty() && Files.isDirectory(path);
        String text = deleteFile ? null : TomlText.document(tables);
        return new Change() {
            @Override
            public String target() {
                return target.toString();
            }

            @Override
            public ProxyConfig load() throws ConfigException {
                Map<String, String> overrides = new java.util.HashMap<>();
                overrides.put(target.getFileName().toString(), text);
                return ConfigLoader.load(path, overrides);
            }

            @Override
            public void apply() throws IOException {
                if (text == null) {
                    Files.deleteIfExists(target);
                    return;
                }
                // beside the target (same file system), under a name the loader does not read
                Path tmp = target.resolveSibling("." + target.getFileName() + ".admin-write");
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        };
    }

    /** Documents' tables as one document: "basic" → table, "upstreams" → name → table, ... */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merged(Iterable<Map<String, Object>> documents) {
        Map<String, Object> all = new LinkedHashMap<>();
        for (Map<String, Object> tables : documents) {
            for (Map.Entry<String, Object> e : tables.entrySet()) {
                if (e.getKey().equals("basic")) {
                    all.put("basic", e.getValue());
                } else if (e.getValue() instanceof Map<?, ?> m) {
                    ((Map<String, Object>) all.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()))
                            .putAll((Map<String, Object>) m);
                }
            }
        }
        return all;
    }
}
