package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.spi.FilterFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small plugin jars at test time: compiles the given sources against filters-spi and
 * http-codec with the JDK's compiler and packs them with a services file. Classes made this way
 * are on no class path, so only a plugin jar's own class loader can define them.
 */
final class TestJars {

    private TestJars() {
    }

    /** Compiles {@code sources} (class name to source) into {@code jar}, listing {@code services} as factories. */
    static Path build(Path workDir, Path jar, Map<String, String> sources, List<String> services)
            throws IOException, URISyntaxException {
        Path src = Files.createDirectories(workDir.resolve("src-" + jar.getFileName()));
        Path out = Files.createDirectories(workDir.resolve("classes-" + jar.getFileName()));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-classpath",
                location(FilterFactory.class) + java.io.File.pathSeparator + location(RequestHead.class),
                "-proc:none", "-Xlint:none"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("tests need a JDK (javax.tools compiler), not a JRE");
        }
        int rc = javac.run(null, null, null, args.toArray(new String[0]));
        if (rc != 0) {
            throw new IllegalStateException("test plugin sources did not compile (javac exit " + rc + ")");
        }
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(out)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                jos.putNextEntry(new JarEntry(out.relativize(p).toString().replace('\\', '/')));
                jos.write(Files.readAllBytes(p));
                jos.closeEntry();
            }
            if (!services.isEmpty()) {
                jos.putNextEntry(new JarEntry("META-INF/services/" + FilterFactory.class.getName()));
                OutputStream o = jos;
                o.write((String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                jos.closeEntry();
            }
        }
        return jar;
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A factory class for {@code category} whose filter does nothing. */
    static String factory(String pkg, String simpleName, String category, String createBody) {
        return "package " + pkg + ";\n"
                + "import io.pingora4j.spi.*;\n"
                + "public final class " + simpleName + " implements FilterFactory {\n"
                + "  public String category() { return \"" + category + "\"; }\n"
                + "  public HttpFilter create(PluginConfig config) { " + createBody + " }\n"
                + "}\n";
    }
}
