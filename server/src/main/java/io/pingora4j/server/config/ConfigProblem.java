package io.pingora4j.server.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file: where (the file and the dotted TOML key, e.g.
 * {@code locations.api.upstream}) and why, in words a person can act on.
 *
 * <p>Immutable.
 *
 * @param file   the file (or source name) the problem is in
 * @param key    the dotted TOML path of the offending key; "" for the whole file (syntax errors)
 * @param reason what is wrong, e.g. "unknown upstream 'x'"
 */
public record ConfigProblem(String file, String key, String reason) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reason, "reason");
    }

    /** "file: key: reason" (or "file: reason" when the key is empty). */
    @Override
    public String toString() {
        return key.isEmpty() ? file + ": " + reason : file + ": " + key + ": " + reason;
    }
}
