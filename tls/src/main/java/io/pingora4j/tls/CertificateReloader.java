package io.pingora4j.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a listener's certificates into its {@link CertificateStore} and reloads them when their
 * files change (a renewed certificate dropped in place, as with certbot). All-or-nothing: a reload
 * that fails on any entry changes nothing, so a half-written or broken file never takes a working
 * certificate out of service; the error names the file and the reason.
 *
 * <p>{@link #changed()} compares each file's modification time and size with those seen at the
 * last {@link #reload()}: a poller calls it every few seconds and {@code reload()} when it says so.
 * A failed reload is retried at the files' next change, not at every poll. Not for concurrent use: one
 * poller thread calls {@code changed}/{@code reload}; handshakes only read the store.
 */
public final class CertificateReloader {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    /** How many days before expiry a loaded certificate is logged as expiring. */
    static final long EXPIRY_WARNING_DAYS = 14;

    private final List<CertificateSource> sources;
    private final CertificateStore store;
    /** The file stamps as of the last load attempt, successful or not (so a broken file is tried once per change). */
    private Map<Path, Stamp> stamps = Map.of();

    /** The state of a file that tells whether it changed: modification time and size. */
    private record Stamp(FileTime modified, long size) {
    }

    public CertificateReloader(List<CertificateSource> sources, CertificateStore store) {
        this.sources = List.copyOf(sources);
        this.store = Objects.requireNonNull(store, "store");
    }

    public CertificateStore store() {
        return store;
    }

    /**
     * Re-reads every entry and, if all load, makes them the store's contents.
     *
     * @return the new snapshot
     * @throws TlsConfigException for the first entry that fails; the store keeps its old contents
     */
    public CertificateStore.Snapshot reload() {
        // Stamp before reading: a file rewritten while we read it shows as changed at the next poll.
        Map<Path, Stamp> seen = currentStamps();
        stamps = seen;
        List<CertifiedKey> loaded = new ArrayList<>(sources.size());
        for (CertificateSource s : sources) {
            CertifiedKey ck = s.load();
            warnIfExpiring(ck);
            loaded.add(ck);
        }
        return store.replace(loaded);
    }

    /**
     * Whether any source file's modification time or size differs from the last load, or a file
     * appeared or disappeared. Costs one stat per file; reads nothing.
     */
    public boolean changed() {
        return !currentStamps().equals(stamps);
    }

    private Map<Path, Stamp> currentStamps() {
        Map<Path, Stamp> out = new HashMap<>();
        for (CertificateSource s : sources) {
            stamp(s.cert(), out);
            stamp(s.key(), out);
        }
        return out;
    }

    private static void stamp(PemSource source, Map<Path, Stamp> out) {
        if (!source.isFile()) {
            return; // inline PEM changes only with the config, which rebuilds the reloader
        }
        Path p = source.path();
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            out.put(p, new Stamp(a.lastModifiedTime(), a.size()));
        } catch (IOException e) {
            out.put(p, new Stamp(null, -1)); // missing or unreadable: a state of its own
        }
    }

    private static void warnIfExpiring(CertifiedKey ck) {
        Instant notAfter = ck.notAfter();
        Instant now = Instant.now();
        if (notAfter.isBefore(now)) {
            LOG.warn("certificate {} ({}) expired at {}", ck.name(), ck.names(), notAfter);
        } else if (notAfter.isBefore(now.plusSeconds(EXPIRY_WARNING_DAYS * 86_400))) {
            LOG.warn("certificate {} ({}) expires at {}", ck.name(), ck.names(), notAfter);
        }
    }
}
