/**
 * ACME (RFC 8555) certificates for the server: {@link io.pingora4j.tls.acme.AcmeIssuer} obtains one
 * with HTTP-01 validation (acme4j), {@link io.pingora4j.tls.acme.Http01Challenges} holds the
 * challenge responses the server's plain-HTTP listener answers, {@link
 * io.pingora4j.tls.acme.AcmeStorage} keeps the account key and certificates on disk, and {@link
 * io.pingora4j.tls.acme.AcmeRenewer} issues and renews on a background thread, handing new
 * certificates to the server.
 *
 * <p>Wiring, for a {@code [certificates.NAME]} table with {@code acme} set:
 *
 * <pre>{@code
 * Http01Challenges challenges = new Http01Challenges();        // one per server
 * // plain-HTTP request filter: if path starts with Http01Challenges.PATH_PREFIX,
 * //   challenges.lookup(path) -> 200 with the key authorization as body, else 404
 * AcmeIssuer issuer = new AcmeIssuer(AcmeSettings.defaults(storageDir)
 *         .withDirectory(acmeDirectory).withEmail(acmeEmail).withCaFile(acmeCaFile), challenges);
 * AcmeRenewer renewer = new AcmeRenewer(List.of(new ManagedCertificate(name, domains,
 *         Duration.ofDays(bufferDays), issuer)), certificate -> store.swap(...));
 * renewer.start();                                             // close() on shutdown
 * }</pre>
 */
package io.pingora4j.tls.acme;
