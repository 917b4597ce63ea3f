package io.pingora4j.server.plugins;

import io.pingora4j.spi.Action;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread the built-in plugins share to wait without blocking an event loop: a
 * filter returns {@link Action#defer} with {@link #after}, and the session resumes on its own loop
 * when the time is up. A daemon thread, started on first use; timers only complete futures, so
 * one thread serves any number of sessions.
 *
 * <p>Thread-safe.
 */
public final class Delays {

    private Delays() {
    }

    private static final class Holder {
        static final ScheduledExecutorService TIMER = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "plugin-delay-timer");
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }

    /** A stage completed with {@code result} after {@code nanos}, on the timer thread. */
    public static CompletableFuture<Action> after(long nanos, Action result) {
        CompletableFuture<Action> f = new CompletableFuture<>();
        Holder.TIMER.schedule(() -> f.complete(result), nanos, TimeUnit.NANOSECONDS);
        return f;
    }
}
