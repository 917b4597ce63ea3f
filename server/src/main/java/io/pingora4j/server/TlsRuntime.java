package io.pingora4j.server;

import io.pingora4j.server.config.CertificateConfig;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.server.config.ServerConfig;
import io.pingora4j.server.config.UpstreamConfig;
import io.pingora4j.tls.CertificateReloader;
import io.pingora4j.tls.CertificateSource;
import io.pingora4j.tls.CertificateStore;
import io.pingora4j.tls.ClientTls;
import io.pingora4j.tls.JsseProperties;
import io.pingora4j.tls.ServerTls;
import io.pingora4j.tls.ServerTlsSettings;
import io.pingora4j.tls.SessionTicketKeys;
import io.pingora4j.tls.TlsProvider;
import io.pingora4j.tls.TlsConfigException;
import io.pingora4j.tls.acme.AcmeIssuer;
import io.pingora4j.tls.acme.AcmeRenewer;
import io.pingora4j.tls.acme.AcmeSettings;
import io.pingora4j.tls.acme.Http01Challenges;
import io.pingora4j.tls.acme.IssuedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a configuration: a certificate store per TLS server (the {@code [certificates]}
 * tables for {@code global_certificates = true}, its own {@code tls_cert}/{@code tls_key} otherwise,
 * both when it has both), the listener settings, the client side for TLS origins, and ACME.
 *
 * <h2>Hot reload</h2>
 * A daemon thread polls every {@code [basic] certificate_check_interval} (default 5 s): a changed
 * certificate or key file is re-read and swapped in for new handshakes; open connections keep the
 * certificate they were made with. A change of the configuration file's {@code [certificates]}
 * tables (or a server's {@code tls_cert}/{@code tls_key}) is applied the same way; other changes
 * of the file wait for a restart, and the log says so. A reload that fails (a missing file, a key
 * that does not match) keeps the certificates in use and logs the file and the reason.
 *
 * <h2>Provider and resumption</h2>
 * {@code [basic] tls_provider = "openssl" | "jdk"}: BoringSSL (the default where its native library
 * loads; else the JDK's engine, and one log line says why) or the JDK's engine, for listeners and
 * origins alike. {@code [basic] tls_session_ticket_lifetime} (default 1h): how long a session ticket
 * key encrypts new tickets; the previous key still decrypts for as long again, so a client resumes
 * for up to two lifetimes. One key ring serves every listener and loop of the process.
 *
 * <h2>ACME</h2>
 * A certificate with {@code acme = "lets_encrypt"} is issued (and renewed {@code buffer_days}
 * before expiry, default 14) by the directory at {@code acme_directory} (default Let's Encrypt),
 * trusting {@code acme_ca_file} for that directory's own TLS when set. Challenges are HTTP-01,
 * answered by every plain-HTTP server at {@code /.well-known/acme-challenge/}. Account key and
 * certificates live in {@code [basic] acme_dir} (default {@code acme} beside the configuration
 * file). Until its first issuance, such a certificate is absent from the store.
 */
final class TlsRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsRuntime.class);
    static final String GLOBAL = "[certificates]";

    /** One certificate store and the files it is loaded from; the sources change on config edits and issuances. */
    private static final class Watched {
        final String label;
        final String serverName;
        final CertificateStore store = new CertificateStore();
        CertificateReloader reloader;

        Watched(String label, String serverName) {
            this.label = label;
            this.serverName = serverName;
        }
    }

    final Map<String, ServerTls> serverTls;
    final ClientTls clientTls;
    /** Non-null when a certificate is managed by ACME. */
    final Http01Challenges challenges;
    final Duration handshakeTimeout;
    private final List<Watched> watched;
    private final Path configFile;
    private final Path acmeDir;
    private final Duration checkInterval;
    private final List<AcmeRenewer.ManagedCertificate> managed;
    private FileTime configStamp;
    private ProxyConfig config;
    private ScheduledExecutorService watcher;
    private AcmeRenewer renewer;

    private TlsRuntime(ProxyConfig config, Map<String, ServerTls> serverTls, ClientTls clientTls,
                       Http01Challenges challenges, Duration handshakeTimeout, List<Watched> watched, Path acmeDir,
                       Duration checkInterval, List<AcmeRenewer.ManagedCertificate> managed) {
        this.config = config;
        this.serverTls = serverTls;
        this.clientTls = clientTls;
        this.challenges = challenges;
        this.handshakeTimeout = handshakeTimeout;
        this.watched = watched;
        this.acmeDir = acmeDir;
        this.checkInterval = checkInterval;
        this.managed = managed;
        Path file = Path.of(config.source());
        this.configFile = Files.isRegularFile(file) ? file : null;
        this.configStamp = stamp(configFile);
    }

    /**
     * Loads every certificate and setting the configuration names; {@code problems} gets one
     * "key: reason" line each (file and reason for a certificate), and the result is then null.
     */
    static TlsRuntime build(ProxyConfig config, List<String> problems) {
        JsseProperties.apply(); // before any TLS class reads them: no client renegotiation, no tickets
        int before = problems.size();
        Path acmeDir = config.resolve(config.basic().acmeDir());
        TlsProvider provider = null;
        try {
            provider = TlsProvider.parseConfigured("basic.tls_provider", config.basic().tlsProvider());
        } catch (TlsConfigException e) {
            problems.add(e.getMessage());
        }
        Duration ticketLifetime = config.basic().tlsSessionTicketLifetime();
        SessionTicketKeys tickets = null;

        Http01Challenges challenges = null;
        List<AcmeRenewer.ManagedCertificate> managed = new ArrayList<>();
        for (CertificateConfig c : config.certificates().values()) {
            if (!c.acme()) {
                continue;
            }
            if (challenges == null) {
                challenges = new Http01Challenges();
            }
            try {
                managed.add(acmeCertificate(config, c, acmeDir, challenges));
            } catch (RuntimeException e) {
                problems.add("certificates." + c.name() + ": " + e.getMessage());
            }
        }

        Map<String, ServerTls> serverTls = new LinkedHashMap<>();
        List<Watched> watched = new ArrayList<>();
        Watched global = null;
        Duration handshake = null;
        for (ServerConfig s : config.servers().values()) {
            if (!s.tls()) {
                continue;
            }
            ServerTlsSettings settings;
            try {
                settings = TlsListenerSettings.of(config, s);
            } catch (TlsConfigException e) {
                problems.add(settingProblem("servers." + s.name(), e));
                continue;
            } catch (RuntimeException e) {
                problems.add("servers." + s.name() + ": " + e.getMessage());
                continue;
            }
            handshake = handshake == null || settings.handshakeTimeout().compareTo(handshake) < 0
                    ? settings.handshakeTimeout() : handshake;
            Watched w;
            if (s.tlsCert() == null) {
                if (global == null) {
                    global = new Watched(GLOBAL, null);
                    watched.add(global);
                }
                w = global;
            } else {
                w = new Watched("servers." + s.name(), s.name());
                watched.add(w);
            }
            if (tickets == null) {
                tickets = new SessionTicketKeys(ticketLifetime);
            }
            serverTls.put(s.name(), new ServerTls(w.store, settings,
                    provider != null ? provider : TlsProvider.preferred(), tickets));
        }
        for (Watched w : watched) {
            load(config, w, acmeDir, managed.isEmpty(), problems);
        }

        ClientTls client = new ClientTls(List.of("http/1.1"), provider);
        for (UpstreamConfig u : config.upstreams().values()) {
            if (u.tls()) {
                client.provider(); // decided (and BoringSSL loaded) now, not on an event loop
            }
            if (u.caFile() != null) {
                try {
                    client.preload(config.resolve(u.caFile()).toString());
                } catch (TlsConfigException e) {
                    problems.add("upstreams." + u.name() + ".ca_file: " + e.getMessage());
                }
            }
        }
        if (problems.size() != before) {
            serverTls.values().forEach(ServerTls::close); // BoringSSL contexts already made
            return null;
        }
        return new TlsRuntime(config, serverTls, client, challenges,
                handshake == null ? ServerTlsSettings.DEFAULT_HANDSHAKE_TIMEOUT : handshake, watched, acmeDir,
                config.basic().certificateCheckInterval(), managed);
    }

    /** Loads a store's certificates for the first time; each problem names its table, key and file. */
    private static void load(ProxyConfig config, Watched w, Path acmeDir, boolean noAcme, List<String> problems) {
        List<CertificateSource> sources;
        try {
            sources = CertificateSources.of(config, w.serverName, acmeDir);
        } catch (RuntimeException e) { // TlsConfigException, or a path the platform refuses
            problems.add(w.label + ": " + e.getMessage());
            return;
        }
        if (sources.isEmpty() && noAcme) {
            problems.add((w.serverName == null ? "servers" : w.label) + ": global_certificates = true but"
                    + " [certificates] holds no certificate");
            return;
        }
        boolean loads = true;
        for (CertificateSource source : sources) {
            try {
                source.load(); // each on its own, so a problem names its table and its file
            } catch (TlsConfigException e) {
                loads = false;
                problems.add(CertificateSources.keyOf(source, e) + ": " + e.getMessage());
            }
        }
        if (!loads) {
            return;
        }
        try {
            w.reloader = new CertificateReloader(sources, w.store);
            w.reloader.reload();
        } catch (RuntimeException e) {
            problems.add(w.label + ": " + e.getMessage());
        }
    }

    /** The server keys a {@link TlsConfigException} from the listener settings may name as its source. */
    private static final Set<String> SETTING_KEYS =
            Set.of("tls_cipher_list", "tls_ciphersuites", "tls_client_ca", "tls_min_version", "tls_max_version");

    /**
     * A listener setting the TLS layer refused, as "servers.NAME.KEY: reason" when it names a key
     * (a cipher the JDK lacks...), else "servers.NAME: source: reason" (a CA bundle file).
     */
    private static String settingProblem(String table, TlsConfigException e) {
        return SETTING_KEYS.contains(e.source()) ? table + "." + e.source() + ": " + e.reason()
                : table + ": " + e.getMessage();
    }

    /** Starts the certificate watcher and, with ACME certificates, the renewer. */
    void start() {
        if (!watched.isEmpty()) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pingora4j-certificates");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(50, checkInterval.toMillis());
            watcher.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
        }
        if (!managed.isEmpty()) {
            renewer = new AcmeRenewer(managed, new AcmeRenewer.Listener() {
                @Override
                public void issued(IssuedCertificate certificate) {
                    refresh(null); // swapped in first: the log line below means new handshakes get it
                    LOG.info("certificates.{}: issued by ACME for {}, valid until {}; serving it now",
                            certificate.name(), certificate.dnsNames(), certificate.notAfter());
                }

                @Override
                public void failed(String name, Exception error, Duration retryIn) {
                    LOG.warn("certificates.{}: ACME issuance failed, retrying in {}: {}", name, retryIn, error.getMessage());
                }
            });
            renewer.start();
        }
    }

    /** One poll: a changed configuration file, then changed certificate files. */
    synchronized void check() {
        try {
            FileTime now = stamp(configFile);
            if (configFile != null && now != null && !now.equals(configStamp)) {
                configStamp = now;
                try {
                    ProxyConfig next = ConfigLoader.load(configFile);
                    refresh(next);
                    LOG.info("{}: changed; certificates applied (other changes take effect at restart)", configFile);
                } catch (ConfigException e) {
                    LOG.error("{}: changed but cannot be loaded, keeping the certificates in use: {}", configFile,
                            e.getMessage());
                }
                return;
            }
            for (Watched w : watched) {
                if (w.reloader != null && w.reloader.changed()) {
                    reload(w, w.reloader);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("certificate check failed", e);
        }
    }

    /** Rebuilds every store's sources (from {@code next}, or the current config) and reloads them. */
    synchronized void refresh(ProxyConfig next) {
        if (next != null) {
            config = next;
        }
        for (Watched w : watched) {
            List<CertificateSource> sources;
            try {
                sources = CertificateSources.of(config, w.serverName, acmeDir);
            } catch (RuntimeException e) {
                LOG.error("{}: {}; keeping the certificates in use", w.label, e.getMessage());
                continue;
            }
            reload(w, new CertificateReloader(sources, w.store));
        }
    }

    private static void reload(Watched w, CertificateReloader r) {
        try {
            CertificateStore.Snapshot s = r.reload();
            w.reloader = r;
            LOG.info("{}: certificates loaded for new handshakes: {}", w.label, s.certificates().stream()
                    .map(c -> c.name() + " " + c.names()).toList());
        } catch (TlsConfigException e) {
            if (w.reloader == null) {
                w.reloader = r; // nothing in use yet: watch these files for the next change
            }
            LOG.error("{}; keeping the certificates in use", e.getMessage());
        }
    }

    @Override
    public void close() {
        serverTls.values().forEach(ServerTls::close);
        if (watcher != null) {
            watcher.shutdownNow();
        }
        if (renewer != null) {
            renewer.close();
        }
    }

    private static AcmeRenewer.ManagedCertificate acmeCertificate(ProxyConfig config, CertificateConfig c,
                                                                  Path acmeDir, Http01Challenges challenges) {
        AcmeSettings settings = AcmeSettings.defaults(acmeDir);
        if (c.acmeDirectory() != null) {
            settings = settings.withDirectory(c.acmeDirectory());
        }
        if (c.acmeEmail() != null) {
            settings = settings.withEmail(c.acmeEmail());
        }
        if (c.acmeCaFile() != null) {
            settings = settings.withCaFile(config.resolve(c.acmeCaFile()));
        }
        return new AcmeRenewer.ManagedCertificate(c.name(), c.domains(), Duration.ofDays(c.bufferDays()),
                new AcmeIssuer(settings, challenges));
    }

    private static FileTime stamp(Path file) {
        try {
            return file == null ? null : Files.getLastModifiedTime(file);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
