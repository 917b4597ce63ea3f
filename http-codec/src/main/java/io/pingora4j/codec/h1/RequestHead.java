package io.pingora4j.codec.h1;

import java.nio.charset.StandardCharsets;

/**
 * A request's start line and fields (RFC 9112 §3). The method is recognised without a String;
 * the target, path and authority are slices until asked for.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
public final class RequestHead extends MessageHead {

    /** The four request-target forms of RFC 9112 §3.2. */
    public enum TargetForm { ORIGIN, ABSOLUTE, AUTHORITY, ASTERISK }

    HttpMethod method = HttpMethod.GET;
    int methodRef;
    int methodLen;
    int targetRef;
    int targetLen;
    TargetForm form = TargetForm.ORIGIN;
    /** path-and-query inside the target; for absolute-form the part after the authority. */
    int pathRef;
    int pathLen;
    /** Authority from an absolute-form or authority-form target; length -1 if none. */
    int targetAuthorityRef;
    int targetAuthorityLen = -1;
    boolean expectContinue;
    boolean expectOther;
    boolean upgrade;
    private final AsciiSlice authoritySlice = new AsciiSlice();
    private final AsciiSlice pathSlice = new AsciiSlice();

    /** An empty GET / request, for building one in code. */
    public RequestHead() {
        setMethod(HttpMethod.GET);
        setTarget("/");
    }

    /** The method, or {@link HttpMethod#OTHER} for an extension method (see {@link #methodName()}). */
    public HttpMethod method() {
        return method;
    }

    /** The method token. Allocates. */
    public String methodName() {
        return headers.string(methodRef, methodLen);
    }

    /** The request-target as received. Allocates. */
    public String target() {
        return headers.string(targetRef, targetLen);
    }

    public TargetForm targetForm() {
        return form;
    }

    /**
     * The path and query: the target itself in origin-form, the part after the authority in
     * absolute-form ("/" if empty), "*" or the authority for the other forms. Allocates.
     */
    public String pathAndQuery() {
        return pathLen == 0 && form == TargetForm.ABSOLUTE ? "/" : headers.string(pathRef, pathLen);
    }

    /** The path without the query. Allocates. */
    public String path() {
        int q = queryStart();
        return q < 0 ? pathAndQuery() : headers.string(pathRef, q);
    }

    /** The query without its '?', or null when the target has none. Allocates. */
    public String query() {
        int q = queryStart();
        return q < 0 ? null : headers.string(HeaderBlock.shift(pathRef, q + 1), pathLen - q - 1);
    }

    /**
     * The authority the request is for: from the target in absolute-form or authority-form
     * (RFC 9112 §3.2.2 says Host is then ignored), else the Host field; null if neither.
     */
    public String authority() {
        if (targetAuthorityLen >= 0) {
            return headers.string(targetAuthorityRef, targetAuthorityLen);
        }
        int i = headers.indexOfKind(KnownHeader.HOST);
        return i < 0 ? null : headers.value(i);
    }

    /**
     * {@link #authority()} as a window over the head's bytes (no String); empty if there is none.
     * Valid until the next message or an edit of this head.
     */
    public CharSequence authorityChars() {
        if (targetAuthorityLen >= 0) {
            return authoritySlice.set(headers, targetAuthorityRef, targetAuthorityLen);
        }
        int i = headers.indexOfKind(KnownHeader.HOST);
        return i < 0 ? authoritySlice.set("") : authoritySlice.set(headers, headers.valueRef(i), headers.valueLength(i));
    }

    /**
     * {@link #pathAndQuery()} as a window over the head's bytes (no String). Valid until the next
     * message or an edit of this head.
     */
    public CharSequence pathAndQueryChars() {
        if (pathLen == 0 && form == TargetForm.ABSOLUTE) {
            return pathSlice.set("/");
        }
        return pathSlice.set(headers, pathRef, pathLen);
    }

    /** True if the request carries {@code Expect: 100-continue}. */
    public boolean expectContinue() {
        return expectContinue;
    }

    /** True if the request carries an Expect value other than 100-continue (a server may answer 417). */
    public boolean expectUnsupported() {
        return expectOther;
    }

    /** True if the request carries an Upgrade field. */
    public boolean upgrade() {
        return upgrade;
    }

    /** Replaces the method. */
    public void setMethod(HttpMethod method) {
        if (method == HttpMethod.OTHER) {
            throw new IllegalArgumentException("use setMethod(String) for an extension method");
        }
        this.method = method;
        byte[] b = method.bytes();
        methodRef = headers.appendScratch(b, 0, b.length);
        methodLen = b.length;
    }

    /** Replaces the method with any token. */
    public void setMethod(String name) {
        HeaderBlock.validateName(name); // a method is a token, like a field name
        this.method = HttpMethod.of(name);
        methodRef = headers.appendScratch(name, 0, name.length());
        methodLen = name.length();
    }

    /**
     * Replaces the target with an origin-form one (path and optional query), e.g. after a rewrite.
     *
     * @throws IllegalArgumentException if it does not start with '/' or has a byte not allowed in a target
     */
    public void setTarget(CharSequence target) {
        if (target.length() == 0 || target.charAt(0) != '/') {
            throw new IllegalArgumentException("target must start with '/': " + target);
        }
        for (int k = 0; k < target.length(); k++) {
            char c = target.charAt(k);
            if (c > 0xff || !HttpChars.TARGET_CHAR[c]) {
                throw new IllegalArgumentException("target has an invalid character (code " + (int) c + ") at " + k);
            }
        }
        targetRef = headers.appendScratch(target, 0, target.length());
        targetLen = target.length();
        form = TargetForm.ORIGIN;
        pathRef = targetRef;
        pathLen = targetLen;
        targetAuthorityLen = -1;
    }

    /**
     * Makes this head a copy of {@code other} (start line, fields, and what the parser recognised),
     * in this head's own storage: how a proxy derives the head it sends upstream without touching
     * the client's. Reuses storage: no allocation once it has grown.
     */
    public void copyFrom(RequestHead other) {
        HeaderBlock h = headers;
        h.copyFrom(other.headers); // same layout: the start line's refs hold in the copy
        method = other.method;
        methodRef = other.methodRef;
        methodLen = other.methodLen;
        targetRef = other.targetRef;
        targetLen = other.targetLen;
        form = other.form;
        pathRef = other.pathRef;
        pathLen = other.pathLen;
        targetAuthorityRef = other.targetAuthorityRef;
        targetAuthorityLen = other.targetAuthorityLen;
        version = other.version;
        framing = other.framing;
        contentLength = other.contentLength;
        connectionClose = other.connectionClose;
        connectionKeepAlive = other.connectionKeepAlive;
        connectionUpgrade = other.connectionUpgrade;
        headLength = 0;
        expectContinue = other.expectContinue;
        expectOther = other.expectOther;
        upgrade = other.upgrade;
    }

    private int queryStart() {
        for (int k = 0; k < pathLen; k++) {
            if (headers.byteAt(pathRef, k) == '?') {
                return k;
            }
        }
        return -1;
    }

    void resetRequest() {
        resetHead();
        method = HttpMethod.GET;
        form = TargetForm.ORIGIN;
        targetAuthorityLen = -1;
        expectContinue = false;
        expectOther = false;
        upgrade = false;
    }

    @Override
    public String toString() {
        return methodName() + " " + target() + (version == HTTP_1_1 ? " HTTP/1.1" : " HTTP/1.0") + "\r\n" + headers;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
