package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Outside programs for the interop tests: found on PATH (or the test fails), run to their end, bounded. */
final class Tools {

    /** What a program printed (stdout and stderr together) and how it exited. */
    record Run(int exit, String output) {
    }

    private Tools() {
    }

    /** The program on PATH, or a failure saying how to install it. */
    static String path(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(name + " is not installed (not on PATH): the interop tests need it;"
                + " install it (apt-get install -y " + debianPackage + ") or run without -Pinterop");
    }

    /** Runs a program to its end within {@code timeout}, with empty stdin; fails the test if it takes longer. */
    static Run run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        return runIn(null, dir, timeout, command);
    }

    /** As {@link #run}, with {@code workDir} as the program's working directory (null: this one's). */
    static Run runIn(Path workDir, Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "tool", ".out");
        Process p = new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish in " + timeout.toSeconds() + " s:\n"
                        + ServerProcess.read(log));
            }
            return new Run(p.exitValue(), ServerProcess.read(log));
        } finally {
            p.destroyForcibly();
        }
    }
}
