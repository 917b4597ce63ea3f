package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.BasicConfig;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigSource;
import io.pingora4j.server.config.FileConfigSource;
import io.pingora4j.server.store.ConfigSync;
import io.pingora4j.server.store.EtcdConfigSource;
import io.pingora4j.server.store.EtcdUrl;
import io.pingora4j.server.config.ConfigProblem;
import io.pingora4j.server.config.ProxyConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pingora4j [-c FILE|DIR|etcd://...] [-t] [--autoreload] [--admin=...] [--sync etcd://...]
 * [--upgrade] [--help] [--version]}: loads the TOML configuration, checks it whole (every problem
 * printed with its file, key and reason; every key accepted but not applied printed as a warning),
 * then serves until SIGTERM or SIGINT, when in-flight requests get the grace period to finish and
 * the process exits 0. SIGHUP (and, with {@code --autoreload}, a change of the source) reloads in
 * place. Relative paths in the file resolve against its folder; without {@code -c}, the install's
 * {@code conf/pingora4j.toml} is used.
 */
public final class Main {

    static final String DEFAULT_CONFIG = "conf/pingora4j.toml";

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != RUNNING) {
            System.exit(code);
        }
    }

    /** Returned by {@link #run} when the server was started and keeps running. */
    static final int RUNNING = -1;

    /** The command line, without exiting: returns the exit code, or {@link #RUNNING}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        boolean test = false;
        boolean autoreload = false;
        AdminFlag admin = null;
        boolean upgrade = false;
        String syncTo = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--admin=")) {
                try {
                    admin = AdminFlag.parse(args[i].substring("--admin=".length()));
                } catch (IllegalArgumentException e) {
                    err.println("pingora4j: --admin: " + e.getMessage());
                    return 2;
                }
                continue;
            }
            switch (args[i]) {
                case "-c":
                case "--conf":
                case "--config":
                    if (i + 1 >= args.length) {
                        err.println("pingora4j: " + args[i] + " needs a file");
                        return 2;
                    }
                    file = args[++i];
                    break;
                case "-t":
                case "--test":
                    test = true;
                    break;
                case "--autoreload":
                    autoreload = true;
                    break;
                case "--sync":
                    if (i + 1 >= args.length) {
                        err.println("pingora4j: --sync needs a store (etcd://host:port/prefix)");
                        return 2;
                    }
                    syncTo = args[++i];
                    break;
                case "-u":
                case "--upgrade":
                    upgrade = true;
                    break;
                case "-h":
                case "--help":
                    out.println(usage());
                    return 0;
                case "-v":
                case "-V":
                case "--version":
                    out.println("pingora4j " + version());
                    return 0;
                default:
                    err.println("pingora4j: unknown argument '" + args[i] + "'\n" + usage());
                    return 2;
            }
        }
        if (file == null) {
            file = defaultConfig().toString();
        }
        boolean fromStore = EtcdUrl.isEtcd(file);
        Path path = Path.of(fromStore ? "." : file);
        ConfigSource source;
        ProxyConfig config;
        try {
            if (fromStore) {
                source = new EtcdConfigSource(EtcdUrl.parse(file));
            } else {
                if (!Files.exists(path)) {
                    err.println(file + ": no such file (use -c FILE)");
                    return 1;
                }
                source = new FileConfigSource(path);
            }
            config = source.load();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (syncTo != null) {
            return sync(fromStore, path, syncTo, out, err);
        }
        if (config.basic().logLevel() != null && !config.basic().logLevel().isBlank()) {
            // slf4j-simple reads its level once, when the first logger is made: set it before that
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", config.basic().logLevel().toLowerCase());
        }
        List<String> problems = new ArrayList<>();
        ServerRuntime runtime = ServerRuntime.build(config, config.resolve(config.basic().pluginsDir()), problems);
        if (runtime == null) {
            for (ConfigProblem w : config.warnings()) {
                err.println("warning: " + w);
            }
            for (String p : problems) {
                err.println(file + ": " + p);
            }
            return 1;
        }
        for (String w : runtime.warnings()) {
            err.println("warning: " + w);
        }
        if (test) {
            runtime.plugins.describe().forEach(line -> out.println("pingora4j: " + line));
            runtime.close();
            out.println("pingora4j: the configuration file " + file + " syntax is ok");
            out.println("pingora4j: configuration file " + file + " test is successful");
            return 0;
        }
        Path control = config.basic().upgradeSock() != null && !config.basic().upgradeSock().isBlank()
                ? config.resolve(config.basic().upgradeSock())
                : UpgradeControl.defaultPath(fromStore ? file : path.toAbsolutePath().normalize().toString());
        boolean predecessor = UpgradeControl.answered(control);
        if (predecessor && !upgrade) {
            runtime.close();
            err.println(file + ": basic.upgrade_sock: a server for this configuration already answers on " + control
                    + ": stop it, or start with --upgrade to take over from it");
            return 1;
        }
        if (upgrade) {
            String migrate = UpgradeControl.ensureMigrateReq();
            if (migrate != null) {
                err.println("warning: " + migrate);
            }
        }
        Server server;
        java.util.Map<String, LiveListener> listeners = new java.util.LinkedHashMap<>();
        try {
            server = runtime.start(listeners);
        } catch (ListenCheck.ListenException e) {
            runtime.close();
            err.println(file + ": " + (e.key == null ? "" : e.key + ": ") + "cannot start: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            runtime.close();
            err.println(file + ": cannot start: " + e.getMessage());
            return 1;
        }
        if (config.basic().pidFile() != null && !config.basic().pidFile().isBlank()) {
            Path pid = config.resolve(config.basic().pidFile());
            try {
                Files.writeString(pid, ProcessHandle.current().pid() + "\n");
            } catch (java.io.IOException e) {
                err.println(file + ": basic.pid_file: cannot write " + pid + ": " + e.getMessage());
            }
        }
        // signals before "serving": whoever waits for that line may send HUP at once
        ConfigReloader reloader = new ConfigReloader(source, server, runtime, listeners);
        io.pingora4j.server.admin.AdminServer adminServer = null;
        if (admin != null) {
            io.pingora4j.server.admin.AdminApi api = new io.pingora4j.server.admin.AdminApi(admin.prefix(),
                    admin.authorizations(), io.pingora4j.server.admin.AdminFilterFactory.DEFAULT_IP_FAIL_LIMIT, null);
            api.bind(reloader.admin());
            try {
                adminServer = io.pingora4j.server.admin.AdminServer.start(admin.address(), api);
            } catch (java.io.IOException | RuntimeException e) {
                err.println("pingora4j: --admin: cannot listen on " + admin.address() + ": " + e.getMessage());
                reloader.close();
                server.shutdown(Duration.ZERO);
                runtime.close();
                return 1;
            }
        }
        Runnable stop = installSignals(server, reloader, config.basic().gracePeriod(), config.basic().shutdownTimeout());
        String name = config.basic().name().equals(BasicConfig.DEFAULT_NAME) ? "" : "; name " + config.basic().name();
        out.println("pingora4j " + version() + " serving " + server.addresses() + " with " + server.options().threads()
                + " event loop(s); config " + file + name);
        runtime.plugins.describe().forEach(line -> out.println("pingora4j: " + line));
        if (adminServer != null) {
            java.net.InetSocketAddress a = adminServer.address();
            out.println("pingora4j: admin at http://" + a.getAddress().getHostAddress() + ":" + a.getPort()
                    + admin.prefix() + "/");
        }
        if (autoreload) {
            try {
                reloader.watch();
                out.println("pingora4j: watching " + file + " for changes (--autoreload)");
            } catch (ConfigException e) {
                err.println("warning: " + e.getMessage() + "; --autoreload is off, SIGHUP still reloads");
            }
        }
        out.flush();
        if (upgrade) {
            if (predecessor) {
                try {
                    long old = UpgradeControl.requestTakeover(control);
                    out.println("pingora4j: upgrade: took over the listeners from pid " + old
                            + "; it drains within its grace period and exits");
                } catch (java.io.IOException e) {
                    err.println("warning: upgrade: the server on " + control + " did not hand over ("
                            + e.getMessage() + "); both serve until it is stopped");
                }
            } else {
                err.println("warning: upgrade: nothing answers on " + control + "; serving as a fresh start");
            }
            out.flush();
        }
        try {
            UpgradeControl.listen(control, () -> handOver(server, config.basic().gracePeriod(), stop));
        } catch (java.io.IOException | RuntimeException e) {
            err.println("warning: basic.upgrade_sock: cannot listen on " + control + " (" + e.getMessage()
                    + "): this process cannot be upgraded with --upgrade");
        }
        return RUNNING;
    }

    /**
     * The configuration used without {@code -c}: {@code conf/pingora4j.toml} of the install (the
     * folder above {@code bin/}, which the launcher passes as {@code -Dpingora4j.home}), else of the
     * working directory.
     */
    static Path defaultConfig() {
        String home = System.getProperty("pingora4j.home");
        return home == null || home.isBlank() ? Path.of(DEFAULT_CONFIG) : Path.of(home).resolve(DEFAULT_CONFIG);
    }

    /**
     * TERM or INT: stop accepting, give requests in flight the grace period, then close the rest
     * (access logs, health checks, watchers) within {@code shutdownTimeout}, and exit 0.
     * HUP: reload the configuration (a broken one is refused and logged; the old one keeps serving).
     */
    private static Runnable installSignals(Server server, ConfigReloader reloader, Duration grace,
                                           Duration shutdownTimeout) {
        CountDownLatch once = new CountDownLatch(1);
        Runnable stop = () -> {
            if (once.getCount() == 0) {
                return;
            }
            once.countDown();
            Thread t = new Thread(() -> {
                reloader.close();
                server.shutdown(grace); // a no-op after a hand-over, which already drained
                Thread closing = new Thread(() -> reloader.current().close(), "pingora4j-close");
                closing.setDaemon(true);
                closing.start();
                try {
                    closing.join(Math.max(1, shutdownTimeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.exit(0);
            }, "pingora4j-shutdown");
            t.start();
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.run());
            } catch (IllegalArgumentException e) {
                // the signal does not exist here
            }
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reloader.reload());
        } catch (IllegalArgumentException e) {
            // no SIGHUP here (Windows): reload with --autoreload
        }
        return stop;
    }

    /** {@code -c FILE --sync etcd://...}: the (valid) file or directory, copied into the store item by item. */
    private static int sync(boolean fromStore, Path path, String to, PrintStream out, PrintStream err) {
        if (fromStore) {
            err.println("pingora4j: --sync copies a configuration file or directory into a store; -c names a store");
            return 2;
        }
        EtcdUrl target;
        try {
            target = EtcdUrl.parse(to);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        try {
            StringBuilder toml = new StringBuilder();
            if (Files.isDirectory(path)) {
                try (var files = Files.list(path)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".toml")).sorted().toList()) {
                        toml.append(Files.readString(f)).append('\n');
                    }
                }
            } else {
                toml.append(Files.readString(path));
            }
            int n = ConfigSync.copy(toml.toString(), target);
            out.println("pingora4j: synced " + n + " item(s) from " + path + " to " + target.describe());
            return 0;
        } catch (java.io.IOException | RuntimeException e) {
            err.println(target.describe() + ": cannot sync: " + e.getMessage());
            return 1;
        }
    }

    /** How long an idle keep-alive connection may still bring a request after a hand-over began. */
    static final Duration UPGRADE_IDLE_LINGER = Duration.ofSeconds(1);

    /**
     * A process started with {@code --upgrade} has taken the listeners: stop accepting, drain (idle
     * connections get {@link #UPGRADE_IDLE_LINGER} for a last request, answered with
     * {@code Connection: close}), then exit as on TERM.
     */
    private static void handOver(Server server, Duration grace, Runnable stop) {
        server.handOver(grace, UPGRADE_IDLE_LINGER.compareTo(grace) < 0 ? UPGRADE_IDLE_LINGER : grace);
        stop.run();
    }

    /**
     * {@code --admin=[user:password@]host:port[/prefix]}: the admin API and UI on an address of its
     * own. Without credentials it is open, so only a loopback address is accepted then.
     */
    record AdminFlag(java.net.InetSocketAddress address, String prefix, List<String> authorizations) {
        static AdminFlag parse(String value) {
            String creds = null;
            String rest = value;
            int at = value.lastIndexOf('@');
            if (at >= 0) {
                creds = value.substring(0, at);
                rest = value.substring(at + 1);
                if (creds.indexOf(':') <= 0) {
                    throw new IllegalArgumentException("expected user:password@host:port[/prefix], got '" + value + "'");
                }
            }
            int slash = rest.indexOf('/');
            String addr = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash);
            while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            java.net.InetSocketAddress a = Server.Builder.parseAddress(addr);
            String host = addr.substring(0, addr.lastIndexOf(':'));
            if (creds == null && !io.pingora4j.server.config.ConfigLoader.loopback(host)) {
                throw new IllegalArgumentException("an admin on " + addr + " (not loopback) needs user:password@");
            }
            List<String> auths = creds == null ? List.of()
                    : List.of(java.util.Base64.getEncoder().encodeToString(creds.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return new AdminFlag(a, prefix, auths);
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String usage() {
        return "usage: pingora4j [-c FILE|etcd://...] [-t] [--autoreload] [--admin=[USER:PASS@]HOST:PORT[/PREFIX]]\n"
                + "                 [--sync etcd://...] [--upgrade] [--help] [--version]\n"
                + "  -c FILE       configuration (TOML file or a directory of them); default " + defaultConfig() + "\n"
                + "  -c etcd://HOST:PORT/PREFIX[?timeout=10s&connect_timeout=5s&user=..&password=..&ca_file=..]\n"
                + "                read the configuration from etcd, one item per key under PREFIX\n"
                + "  -t            check the configuration: print every problem with its key and reason, exit 1 if any\n"
                + "  --autoreload  reload when the file (or a *.toml in the directory, or a key under the etcd\n"
                + "                prefix) changes, within a second\n"
                + "  --admin=...   the admin API and web UI at http://HOST:PORT/PREFIX/ (Basic auth with USER:PASS;\n"
                + "                without it, loopback only); or an [plugins.NAME] category = \"admin\" on a location\n"
                + "  --sync etcd://HOST:PORT/PREFIX  copy the -c file or directory into etcd (one key per item), exit\n"
                + "  --upgrade     take over the listeners of the server running this configuration (found through\n"
                + "                [basic] upgrade_sock); it stops accepting, drains within its grace period and exits\n"
                + "  --version     print the version\n"
                + "Signals: HUP reloads the configuration (a broken one is refused with the same lines as -t; the\n"
                + "old one keeps serving). TERM or INT stop accepting, let requests in flight finish within\n"
                + "[basic] grace_period, exit 0.";
    }
}
