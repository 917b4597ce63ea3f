package io.pingora4j.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads a Pingap-style TOML file into a {@link ProxyConfig}: {@code [basic]}, {@code [upstreams.*]},
 * {@code [locations.*]}, {@code [servers.*]}, {@code [plugins.*]}, {@code [certificates.*]} (and
 * Pingap's {@code [storages.*]}), accepting both the seed's and Pingap's spellings. One reader per
 * section ({@link BasicReader}, {@link UpstreamReader}, {@link LocationReader}, {@link ServerReader},
 * {@link CertificateReader}) turns its table into a typed record; this class parses the TOML,
 * hands each table to its reader and checks the references between sections. Every problem is
 * collected (syntax errors with line and column, wrong types, unknown keys, bad values, dangling
 * references) and reported together in one {@link ConfigException}; keys accepted for Pingap
 * compatibility but not applied come back as {@link ProxyConfig#warnings()}.
 *
 * <p>Stateless and thread-safe; runs off the event loops (at start and at reload).
 */
public final class ConfigLoader {

    private static final List<String> SECTIONS =
            List.of("basic", "upstreams", "locations", "servers", "plugins", "certificates", "storages");

    private ConfigLoader() {
    }

    /**
     * Loads and validates a file, or a directory of {@code *.toml} files (Pingap's layout:
     * basic.toml, servers.toml, locations.toml...), read in name order as one document. Problems
     * name the file the offending table is in.
     */
    public static ProxyConfig load(Path path) throws ConfigException {
        return load(path, Map.of());
    }

    /**
     * As {@link #load(Path)} for a candidate: {@code overrides} maps a file name (the file itself, or
     * one in the directory) to the text it would have, or to null for a file that would be deleted;
     * files not named are read from disk. Problems name the files as they would be named on disk,
     * and relative paths resolve as they would, so this is exactly what loading the written
     * candidate would say (the admin API checks a write with it before writing).
     */
    public static ProxyConfig load(Path path, Map<String, String> overrides) throws ConfigException {
        if (Files.isDirectory(path)) {
            return loadDirectory(path, overrides);
        }
        String name = path.getFileName().toString();
        String text;
        if (overrides.containsKey(name)) {
            text = overrides.get(name);
            if (text == null) {
                throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "the file would be deleted")));
            }
        } else {
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "cannot read: " + e)));
            }
        }
        return parse(text, path.toString());
    }

    private static ProxyConfig loadDirectory(Path dir, Map<String, String> overrides) throws ConfigException {
        Problems problems = new Problems(dir.toString());
        List<Path> files;
        try (var stream = Files.list(dir)) {
            java.util.TreeSet<Path> names = new java.util.TreeSet<>(stream
                    .filter(f -> f.getFileName().toString().endsWith(".toml") && Files.isRegularFile(f)).toList());
            overrides.forEach((name, text) -> {
                if (!name.endsWith(".toml")) {
                    return;
                }
                if (text == null) {
                    names.remove(dir.resolve(name));
                } else {
                    names.add(dir.resolve(name));
                }
            });
            files = List.copyOf(names);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(dir.toString(), "", "cannot list: " + e)));
        }
        if (files.isEmpty()) {
            throw new ConfigException(List.of(new ConfigProblem(dir.toString(), "", "no *.toml file in the directory")));
        }
        List<Document> docs = new ArrayList<>();
        for (Path f : files) {
            String override = overrides.get(f.getFileName().toString());
            try {
                docs.add(new Document(f.toString(),
                        override != null ? override : Files.readString(f, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                problems.add(f.toString(), "", "cannot read: " + e);
            }
        }
        return loadDocuments(docs, problems);
    }

    /** One TOML text of a configuration made of several: a file of a directory, or a key of a store. */
    public record Document(String name, String text) {
    }

    /**
     * Loads and validates several TOML documents as one (a directory's files, or the keys of a
     * configuration store in Pingap's one-item-per-key layout), in the order given. A table defined
     * by two documents is a problem naming both; other problems name the document they are in.
     */
    public static ProxyConfig loadDocuments(String sourceName, List<Document> docs) throws ConfigException {
        if (docs.isEmpty()) {
            throw new ConfigException(List.of(new ConfigProblem(sourceName, "", "no configuration in it")));
        }
        return loadDocuments(docs, new Problems(sourceName));
    }

    private static ProxyConfig loadDocuments(List<Document> docs, Problems problems) throws ConfigException {
        StringBuilder all = new StringBuilder();
        for (Document doc : docs) {
            String where = doc.name();
            String text = doc.text();
            TomlParseResult one = Toml.parse(text);
            if (one.hasErrors()) {
                for (TomlParseError e : one.errors()) {
                    problems.add(where, "", syntaxError(e));
                }
                continue;
            }
            for (String section : one.keySet()) {
                if (section.equals("basic")) {
                    if (problems.ownerOf("basic") != null) {
                        problems.add(where, "basic", "[basic] is also in " + problems.ownerOf("basic"));
                    }
                    problems.owner("basic", where);
                } else if (one.get(List.of(section)) instanceof TomlTable t) {
                    for (String name : t.keySet()) {
                        String key = section + "." + name;
                        if (problems.ownerOf(key) != null) {
                            problems.add(where, key, "[" + key + "] is also in " + problems.ownerOf(key));
                        }
                        problems.owner(key, where);
                    }
                } else {
                    problems.add(where, section, "expected a table such as [" + section + ".NAME], got "
                            + Problems.describe(one.get(List.of(section))));
                }
            }
            all.append(text).append('\n');
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list);
        }
        return parse(all.toString(), problems);
    }

    /** Parses and validates TOML text; {@code sourceName} names it in problems. */
    public static ProxyConfig parse(String toml, String sourceName) throws ConfigException {
        return parse(toml, new Problems(sourceName));
    }

    private static String syntaxError(TomlParseError e) {
        return "TOML syntax error at line " + e.position().line() + ", column " + e.position().column() + ": "
                + e.getMessage();
    }

    private static ProxyConfig parse(String toml, Problems problems) throws ConfigException {
        TomlParseResult result = Toml.parse(toml);
        if (result.hasErrors()) {
            for (TomlParseError e : result.errors()) {
                problems.add("", syntaxError(e));
            }
            throw new ConfigException(problems.list);
        }
        for (String key : result.keySet()) {
            if (!SECTIONS.contains(key)) {
                problems.add(key, "unknown section '" + key + "' (expected one of " + SECTIONS + ")");
            }
        }
        BasicConfig basic = readBasic(problems, result);
        Map<String, TomlTable> upstreamTables = namedTables(problems, result, "upstreams");
        Map<String, TomlTable> pluginTables = namedTables(problems, result, "plugins");
        Map<String, TomlTable> locationTables = namedTables(problems, result, "locations");
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        upstreamTables.forEach((name, t) -> put(upstreams, name,
                read(problems, "upstreams." + name, t, r -> UpstreamReader.read(r, name))));
        Map<String, PluginSpec> plugins = new LinkedHashMap<>();
        pluginTables.forEach((name, t) -> put(plugins, name, readPlugin(problems, name, t)));
        Map<String, LocationConfig> locations = new LinkedHashMap<>();
        locationTables.forEach((name, t) -> put(locations, name,
                read(problems, "locations." + name, t, r -> LocationReader.read(r, name, pluginTables.keySet()))));
        Map<String, ServerConfig> servers = new LinkedHashMap<>();
        Map<String, String> listenOwners = new HashMap<>();
        namedTables(problems, result, "servers").forEach((name, t) -> put(servers, name, read(problems,
                "servers." + name, t, r -> ServerReader.read(r, name, locationTables.keySet(), listenOwners))));
        Map<String, CertificateConfig> certificates = new LinkedHashMap<>();
        namedTables(problems, result, "certificates").forEach((name, t) -> put(certificates, name,
                read(problems, "certificates." + name, t, r -> CertificateReader.read(r, name))));
        Map<String, Map<String, Object>> storages = new LinkedHashMap<>();
        namedTables(problems, result, "storages").forEach((name, t) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> plain = (Map<String, Object>) TableReader.plain(t);
            storages.put(name, plain);
            problems.warn("storages." + name, TableReader.notAppliedReason("[storages] fragments are not merged"));
        });
        // references from locations to upstreams are checked here, once all upstreams are read
        for (Map.Entry<String, TomlTable> e : locationTables.entrySet()) {
            Object up = e.getValue().keySet().contains("upstream") ? e.getValue().get(List.of("upstream")) : null;
            if (up instanceof String name && !name.isEmpty() && !upstreamTables.containsKey(name)) {
                problems.add("locations." + e.getKey() + ".upstream", "unknown upstream '" + name + "'"
                        + known(upstreams.keySet()));
            }
        }
        // traffic_splitting names an upstream the proxy switches to (PingapProxy reads its choice)
        for (PluginSpec p : plugins.values()) {
            if (p.category().equals("traffic_splitting") && p.values().get("upstream") instanceof String name
                    && !name.isBlank() && !upstreamTables.containsKey(name.trim())) {
                problems.add("plugins." + p.name() + ".upstream", "unknown upstream '" + name + "'"
                        + known(upstreams.keySet()));
            }
        }
        adminExposure(problems, plugins, locations, servers);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list);
        }
        return new ProxyConfig(problems.file, basic, upstreams, locations, servers, plugins, certificates, storages,
                problems.warnings);
    }

    /**
     * An {@code admin} plugin without {@code authorizations} is open to whoever reaches it: allowed
     * only when every server whose locations use it listens on loopback.
     */
    private static void adminExposure(Problems problems, Map<String, PluginSpec> plugins,
                                      Map<String, LocationConfig> locations, Map<String, ServerConfig> servers) {
        for (PluginSpec p : plugins.values()) {
            if (!p.category().equals("admin")) {
                continue;
            }
            Object auths = p.values().get("authorizations");
            if (auths instanceof List<?> l && !l.isEmpty()) {
                continue;
            }
            for (ServerConfig s : servers.values()) {
                boolean uses = s.locations().stream().map(locations::get)
                        .anyMatch(l -> l != null && l.plugins().contains(p.name()));
                if (!uses) {
                    continue;
                }
                for (ListenAddress a : s.addrs()) {
                    if (!loopback(a.host())) {
                        problems.add("plugins." + p.name() + ".authorizations", "required: server '" + s.name()
                                + "' serves the admin on " + a + ", which is not a loopback address");
                        break;
                    }
                }
            }
        }
    }

    /** Whether a listen host is loopback only (no name lookup: "localhost" or a literal 127.x / ::1). */
    public static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    /** Runs a section reader over one table, then reports the table's unknown keys. */
    private static <T> T read(Problems problems, String path, TomlTable table, Function<TableReader, T> reader) {
        TableReader r = new TableReader(problems, path, table);
        T value = reader.apply(r);
        r.finish();
        return value;
    }

    private static <T> void put(Map<String, T> map, String name, T value) {
        if (value != null) {
            map.put(name, value);
        }
    }

    /** " (defined: a, b)" or " (none is defined)", for "unknown X" messages. */
    static String known(Collection<String> names) {
        return names.isEmpty() ? " (none is defined)" : " (defined: " + String.join(", ", names) + ")";
    }

    /** The sub-tables of a section such as {@code [upstreams]}, each a problem if not a table. */
    private static Map<String, TomlTable> namedTables(Problems problems, TomlTable root, String section) {
        Map<String, TomlTable> out = new LinkedHashMap<>();
        if (!root.keySet().contains(section)) {
            return out;
        }
        Object v = root.get(List.of(section));
        if (!(v instanceof TomlTable t)) {
            problems.add(section, "expected a table, got " + Problems.describe(v));
            return out;
        }
        for (String name : t.keySet()) {
            Object item = t.get(List.of(name));
            if (item instanceof TomlTable table) {
                out.put(name, table);
            } else {
                problems.add(section + "." + name, "expected a table [" + section + "." + name + "], got "
                        + Problems.describe(item));
            }
        }
        return out;
    }

    private static BasicConfig readBasic(Problems problems, TomlTable root) {
        if (!root.keySet().contains("basic")) {
            return BasicConfig.defaults();
        }
        Object v = root.get(List.of("basic"));
        if (!(v instanceof TomlTable t)) {
            problems.add("basic", "expected a table, got " + Problems.describe(v));
            return BasicConfig.defaults();
        }
        return read(problems, "basic", t, BasicReader::read);
    }

    private static PluginSpec readPlugin(Problems problems, String name, TomlTable t) {
        Object category = t.keySet().contains("category") ? t.get(List.of("category")) : null;
        if (category == null) {
            problems.add("plugins." + name + ".category", "is required (which plugin this is, e.g. \"mock\")");
            return null;
        }
        if (!(category instanceof String c) || c.isBlank()) {
            problems.add("plugins." + name + ".category", "expected a string, got " + Problems.describe(category));
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) TableReader.plain(t);
        return new PluginSpec(name, c, values);
    }
}
