package io.pingora4j.server.plugins;

import io.pingora4j.spi.FilterFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link FilterFactory} implementations with {@link ServiceLoader}: first on the server's
 * own class path (the built-ins, registered in {@code META-INF/services} like anyone's), then in
 * every {@code *.jar} of a plugins folder, each jar in its own {@link URLClassLoader} whose parent
 * is the server's class loader, so a plugin sees the same SPI classes as the server.
 *
 * <p>Nothing a jar does stops the server: an unreadable or corrupt jar, a factory whose
 * constructor throws, a category already taken, each becomes a message in
 * {@link PluginRegistry#problems()} naming the file (and class) and the reason, and loading goes
 * on. When two factories offer one category, the first found keeps it (built-ins first, then jars
 * in file-name order).
 *
 * <p>Stateless; call from the thread that loads configuration.
 */
public final class PluginLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);
    private static final String SERVICE_FILE = "META-INF/services/" + FilterFactory.class.getName();
    /** Stops reading a services file that yields nothing but errors (a guard, not a limit met in practice). */
    private static final int MAX_ERRORS_PER_SOURCE = 100;

    private PluginLoader() {
    }

    /** Built-ins from this class's loader, plus the jars in {@code pluginsDir} (may be null or absent). */
    public static PluginRegistry load(Path pluginsDir) {
        return load(PluginLoader.class.getClassLoader(), pluginsDir);
    }

    /** Factories visible to {@code serverLoader}, plus the jars in {@code pluginsDir} (may be null or absent). */
    public static PluginRegistry load(ClassLoader serverLoader, Path pluginsDir) {
        Map<String, PluginRegistry.Entry> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<Closeable> loaders = new ArrayList<>();

        discover(ServiceLoader.load(FilterFactory.class, serverLoader), null, null, "built-in", found, problems);

        if (pluginsDir != null && Files.exists(pluginsDir)) {
            for (Path jar : jars(pluginsDir, problems)) {
                URLClassLoader loader = openJar(jar, serverLoader, problems);
                if (loader == null) {
                    continue;
                }
                int before = found.size();
                int problemsBefore = problems.size();
                discover(ServiceLoader.load(FilterFactory.class, loader), loader, jar, jar.toString(), found, problems);
                if (found.size() > before) {
                    loaders.add(loader);
                } else {
                    if (problems.size() == problemsBefore) {
                        problems.add(jar + ": no FilterFactory was found in it");
                    }
                    close(loader);
                }
            }
        }
        for (String p : problems) {
            LOG.warn("plugins: {}", p);
        }
        return new PluginRegistry(found, problems, loaders,
                pluginsDir == null ? null : pluginsDir.toAbsolutePath().normalize());
    }

    private static List<Path> jars(Path dir, List<String> problems) {
        List<Path> jars = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": the plugins path is not a folder");
            return jars;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    jars.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add(dir + ": cannot list the plugins folder: " + e);
        }
        jars.sort(null);
        return jars;
    }

    /** Checks the jar can be read and declares factories, then gives it a class loader; null on a problem. */
    private static URLClassLoader openJar(Path jar, ClassLoader parent, List<String> problems) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            if (jf.getJarEntry(SERVICE_FILE) == null) {
                problems.add(jar + ": not a pingora4j plugin: it has no " + SERVICE_FILE);
                return null;
            }
        } catch (IOException | SecurityException e) {
            problems.add(jar + ": cannot read it as a jar: " + describe(e));
            return null;
        }
        URL url;
        try {
            url = jar.toUri().toURL();
        } catch (MalformedURLException e) {
            problems.add(jar + ": " + describe(e));
            return null;
        }
        return new URLClassLoader("plugin " + jar.getFileName(), new URL[] {url}, parent);
    }

    /**
     * Adds the providers {@code sl} finds. With {@code own} set, only classes defined by that
     * loader count: a jar's loader also sees its parent's (the built-ins') service files.
     */
    private static void discover(ServiceLoader<FilterFactory> sl, ClassLoader own, Path jar, String source,
            Map<String, PluginRegistry.Entry> found, List<String> problems) {
        Iterator<ServiceLoader.Provider<FilterFactory>> it = sl.stream().iterator();
        int errors = 0;
        while (errors < MAX_ERRORS_PER_SOURCE) {
            ServiceLoader.Provider<FilterFactory> provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                // ServiceLoader's iterator moves on to the next entry after an error
                problems.add(source + ": bad " + SERVICE_FILE + " entry: " + describe(e));
                errors++;
                continue;
            }
            Class<? extends FilterFactory> type;
            try {
                type = provider.type();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(source + ": " + describe(e));
                continue;
            }
            if (own != null && type.getClassLoader() != own) {
                continue;
            }
            String where = own == null ? source + " " + type.getName() : source + " (" + type.getName() + ")";
            FilterFactory factory;
            String category;
            try {
                factory = provider.get();
                category = factory.category();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                problems.add(where + ": cannot instantiate the factory: " + describe(e));
                continue;
            }
            if (category == null || category.isBlank()) {
                problems.add(where + ": the factory names no category");
                continue;
            }
            PluginRegistry.Entry first = found.get(category);
            if (first != null) {
                problems.add("category \"" + category + "\" is offered by both " + first.source() + " and " + where
                        + "; keeping " + first.source());
                continue;
            }
            found.put(category, new PluginRegistry.Entry(factory, where, jar));
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? msg : msg + " (" + root + ")";
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
