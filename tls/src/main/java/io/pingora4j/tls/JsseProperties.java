package io.pingora4j.tls;

/**
 * JSSE settings that exist only as system properties read once, when JSSE's classes initialise.
 * {@link #apply()} sets them unless the operator already has (with -D), and must run before
 * anything in the process makes a TLS handshake; {@link ServerTls}, {@link ClientTls} and
 * {@link ServerTlsSettings} call it when they load, and a server's {@code main} should call it
 * first thing to be safe.
 *
 * <ul>
 *   <li>{@code jdk.tls.rejectClientInitiatedRenegotiation=true}: a TLS 1.2 client asking to
 *       renegotiate gets a handshake_failure alert (renegotiation is a cheap way to make a server
 *       do expensive handshakes; nginx refuses it too). TLS 1.3 has no renegotiation.
 *   <li>{@code jdk.tls.server.enableSessionTicketExtension=false}: the server issues no stateless
 *       (encrypted) session tickets, whose key the JDK shares across all connections of the
 *       process; resumption still works from the server's session cache.
 * </ul>
 */
public final class JsseProperties {

    static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";
    static final String SERVER_SESSION_TICKETS = "jdk.tls.server.enableSessionTicketExtension";

    private static volatile boolean applied;

    private JsseProperties() {
    }

    /** Sets the properties above unless already set. Idempotent and cheap after the first call. */
    public static void apply() {
        if (applied) {
            return;
        }
        synchronized (JsseProperties.class) {
            setIfAbsent(REJECT_CLIENT_RENEGOTIATION, "true");
            setIfAbsent(SERVER_SESSION_TICKETS, "false");
            applied = true;
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
