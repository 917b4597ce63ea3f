package io.pingora4j.server.store;

import io.pingora4j.server.admin.ConfigStore;
import io.pingora4j.server.admin.FileConfigStore;
import io.pingora4j.server.admin.TomlText;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigFiles;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.ProxyConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The admin API's view of a configuration in etcd ({@link EtcdConfigSource}'s layout: one TOML item
 * per key under the prefix). An item is written to the key that holds it; a new one to the key
 * {@code --sync} would give it ({@code PREFIX/CATEGORY/NAME.toml}), in {@code --sync}'s text. A key
 * left with no table is deleted. The candidate is every {@code *.toml} key read at
 * {@link #prepare} time with the one key changed, loaded as {@link EtcdConfigSource#load()} loads the
 * store. etcd not answering is {@link ConfigStore.Unavailable}. Blocking; thread-safe.
 */
final class EtcdAdminStore implements ConfigStore {

    private final EtcdConfigSource source;
    private final EtcdClient client;

    EtcdAdminStore(EtcdConfigSource source, EtcdClient client) {
        this.source = source;
        this.client = client;
    }

    @Override
    public String describe() {
        return source.describe();
    }

    /** Key → text of every {@code *.toml} key under the prefix, in key order. */
    private TreeMap<String, String> documents() throws Unavailable {
        EtcdClient.Range range;
        try {
            range = client.range();
        } catch (IOException | RuntimeException e) {
            throw unavailable(e);
        }
        TreeMap<String, String> docs = new TreeMap<>();
        for (EtcdClient.KeyValue kv : range.kvs()) {
            if (kv.key().endsWith(".toml")) {
                docs.put(kv.key(), kv.value());
            }
        }
        return docs;
    }

    private Unavailable unavailable(Exception e) {
        return new Unavailable("cannot reach the configuration store " + describe() + ": " + e.getMessage()
                + " (nothing was changed; the proxy keeps serving its configuration)", e);
    }

    @Override
    public Map<String, Object> read() throws ConfigException, Unavailable {
        List<Map<String, Object>> tables = new ArrayList<>();
        for (Map.Entry<String, String> d : documents().entrySet()) {
            tables.add(ConfigFiles.tables(source.documentName(d.getKey()), d.getValue()));
        }
        return FileConfigStore.merged(tables);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Change prepare(String category, String name, Map<String, Object> table) throws ConfigException, Unavailable {
        TreeMap<String, String> docs = documents();
        String found = null;
        Map<String, Object> foundTables = null;
        for (Map.Entry<String, String> d : docs.entrySet()) {
            Map<String, Object> t = ConfigFiles.tables(source.documentName(d.getKey()), d.getValue());
            if (t.get(category) instanceof Map<?, ?> m && m.containsKey(name)) {
                found = d.getKey();
                foundTables = t;
            }
        }
        if (found == null && table == null) {
            return null;
        }
        String key;
        Map<String, Object> tables;
        if (found != null) {
            key = found;
            tables = foundTables;
        } else {
            key = source.url().prefix() + "/" + itemKey(category, name, table);
            tables = new LinkedHashMap<>();
        }
        Map<String, Object> section = (Map<String, Object>) tables.computeIfAbsent(category, k -> new LinkedHashMap<>());
        if (table == null) {
            section.remove(name);
            if (section.isEmpty()) {
                tables.remove(category);
            }
        } else {
            section.put(name, table);
        }
        String text = tables.isEmpty() ? null : text(tables);
        TreeMap<String, String> candidate = new TreeMap<>(docs);
        if (text == null) {
            candidate.remove(key);
        } else {
            candidate.put(key, text);
        }
        return new Change() {
            @Override
            public String target() {
                return source.documentName(key);
            }

            @Override
            public ProxyConfig load() throws ConfigException {
                List<ConfigLoader.Document> list = new ArrayList<>();
                candidate.forEach((k, v) -> list.add(new ConfigLoader.Document(source.documentName(k), v)));
                return ConfigLoader.loadDocuments(describe(), list);
            }

            @Override
            public void apply() throws Unavailable {
                try {
                    if (text == null) {
                        client.delete(key);
                    } else {
                        client.put(key, text);
                    }
                } catch (IOException | RuntimeException e) {
                    throw unavailable(e);
                }
            }
        };
    }

    /** The key (under the prefix) {@code --sync} writes the item to. */
    private static String itemKey(String category, String name, Map<String, Object> table) throws ConfigException {
        return split(Map.of(category, Map.of(name, table))).keySet().iterator().next();
    }

    /**
     * A key's text: one item in {@code --sync}'s form (so a key written here reads exactly as one
     * {@code --sync} wrote), several (a key written by hand) as the admin writes a file.
     */
    private static String text(Map<String, Object> tables) throws ConfigException {
        if (tables.size() == 1 && tables.values().iterator().next() instanceof Map<?, ?> items && items.size() == 1) {
            Map<String, String> one = split(tables);
            if (one.size() == 1) {
                return one.values().iterator().next();
            }
        }
        return TomlText.document(tables);
    }

    private static Map<String, String> split(Map<String, Object> tables) throws ConfigException {
        try {
            return ConfigItems.split(TomlText.document(tables));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(new ConfigProblem("", "", "cannot write as TOML: " + e.getMessage())));
        }
    }
}
