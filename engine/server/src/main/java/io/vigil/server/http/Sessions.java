package io.vigil.server.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The dashboard's sign-in: a random session id (256 bits) that a browser keeps in an HttpOnly cookie, so that its
 * EventSource and picture requests, which cannot send an Authorization header, can read. Only SHA-256 digests of the
 * ids are kept (a lookup's timing tells nothing of a valid id); a session lasts {@link #TTL_SECONDS}; at most
 * {@link #MAX_SESSIONS}, the oldest making way. A session only ever reads.
 */
final class Sessions {
    static final long TTL_SECONDS = TimeUnit.HOURS.toSeconds(12);
    static final int MAX_SESSIONS = 1024;

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier clockNanos;
    /** Digest of an id -> when it expires (System.nanoTime), oldest first. */
    private final Map<String, Long> expiries = new LinkedHashMap<>();

    Sessions(LongSupplier clockNanos) {
        this.clockNanos = clockNanos;
    }

    /** A new session; returns its id (43 URL-safe characters). */
    synchronized String open() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        dropExpired();
        if (expiries.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = expiries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        expiries.put(digest(text), clockNanos.getAsLong() + TimeUnit.SECONDS.toNanos(TTL_SECONDS));
        return text;
    }

    /** Whether {@code id} names a session that has not expired or been closed. */
    synchronized boolean valid(String id) {
        if (id == null || id.length() != 43) {
            return false;
        }
        Long expiry = expiries.get(digest(id));
        return expiry != null && expiry - clockNanos.getAsLong() > 0;
    }

    synchronized void close(String id) {
        if (id != null) {
            expiries.remove(digest(id));
        }
    }

    private void dropExpired() {
        long now = clockNanos.getAsLong();
        expiries.values().removeIf(expiry -> expiry - now <= 0);
    }

    private static String digest(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
