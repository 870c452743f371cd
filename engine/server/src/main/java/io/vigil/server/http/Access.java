package io.vigil.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who a request is: the holder of {@code server.token} (changes and reads), of {@code server.viewerToken} or a
 * dashboard session (reads only), or nobody. Tokens come only in {@code Authorization: Bearer} and are compared in
 * constant time; a session comes only in its HttpOnly, SameSite=Strict cookie and never grants a change, so that no
 * other web page can make a signed-in browser change anything.
 */
final class Access {
    enum Role { NONE, VIEWER, ADMIN }

    static final String COOKIE = "vigil_session";

    private final byte[] token;
    private final byte[] viewerToken;
    private final boolean publicRead;
    final Sessions sessions = new Sessions(System::nanoTime);

    Access(ApiSettings settings) {
        this.token = bytes(settings.token());
        this.viewerToken = bytes(settings.viewerToken());
        this.publicRead = settings.publicRead();
    }

    /** Whether reading needs a token or a session (a token is configured and reads are not public). */
    boolean readNeedsToken() {
        return token != null && !publicRead;
    }

    /** Whether any token is configured (without one, anyone on loopback may do anything). */
    boolean tokenConfigured() {
        return token != null;
    }

    /** The role the Authorization header proves, NONE without one or for a wrong one. */
    Role bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Role.NONE;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // Both compared every time, each in constant time (MessageDigest.isEqual): no timing oracle.
        boolean admin = token != null && MessageDigest.isEqual(given, token);
        boolean viewer = viewerToken != null && MessageDigest.isEqual(given, viewerToken);
        return admin ? Role.ADMIN : viewer ? Role.VIEWER : Role.NONE;
    }

    /** The role for reading: the bearer token's, else a valid session cookie's (VIEWER), else NONE. */
    Role reader(Exchange exchange) {
        Role role = bearer(exchange.header("Authorization"));
        if (role == Role.NONE && sessions.valid(exchange.cookie(COOKIE))) {
            return Role.VIEWER;
        }
        return role;
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
