package io.pingora4j.server.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what one load finds: problems (the file is refused) and warnings (keys accepted for
 * Pingap compatibility but not applied), each as a {@link ConfigProblem} naming its file and key.
 * Not thread-safe: one per load.
 */
final class Problems {

    final String file;
    final List<ConfigProblem> list = new ArrayList<>();
    final List<ConfigProblem> warnings = new ArrayList<>();
    /** For a directory of files: which file defines a "section.name" (or "basic") key. */
    private final Map<String, String> owners = new HashMap<>();

    Problems(String file) {
        this.file = file;
    }

    void owner(String sectionAndName, String ownerFile) {
        owners.put(sectionAndName, ownerFile);
    }

    String ownerOf(String sectionAndName) {
        return owners.get(sectionAndName);
    }

    void add(String key, String reason) {
        list.add(new ConfigProblem(fileOf(key), key, reason));
    }

    void add(String file, String key, String reason) {
        list.add(new ConfigProblem(file, key, reason));
    }

    /** Records a warning: the file still loads. */
    void warn(String key, String reason) {
        warnings.add(new ConfigProblem(fileOf(key), key, reason));
    }

    private String fileOf(String key) {
        if (owners.isEmpty()) {
            return file;
        }
        int first = key.indexOf('.');
        int second = first < 0 ? -1 : key.indexOf('.', first + 1);
        String head = second < 0 ? key : key.substring(0, second);
        int bracket = head.indexOf('[');
        if (bracket >= 0) {
            head = head.substring(0, bracket);
        }
        String owner = owners.get(head);
        if (owner == null && first > 0) {
            owner = owners.get(key.substring(0, first));
        }
        return owner == null ? file : owner;
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    /** How a TOML value is named in "expected X, got Y" messages. */
    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return "string \"" + s + "\"";
        }
        if (v instanceof Long || v instanceof Integer) {
            return "integer " + v;
        }
        if (v instanceof Double) {
            return "float " + v;
        }
        if (v instanceof Boolean) {
            return "boolean " + v;
        }
        if (v instanceof org.tomlj.TomlArray) {
            return "an array";
        }
        if (v instanceof org.tomlj.TomlTable) {
            return "a table";
        }
        return "a date/time " + v;
    }
}
