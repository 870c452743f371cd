package io.vigil.server.http;

import io.vigil.server.evidence.EvidenceStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/evidence/{name}}: an alarm's start picture (image/jpeg) or clip (video/mp4, or video/mp2t) from the
 * {@link EvidenceStore}, with a single byte range when asked ({@code Range: bytes=a-b}, {@code bytes=a-},
 * {@code bytes=-n}: 206 Partial Content), as browsers ask when they seek in a video. A clip still waiting for its
 * post-roll is 503 with {@code Retry-After}; one that could not be written or is gone is 404 with why.
 */
final class EvidenceRoute {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int CHUNK_BYTES = 64 * 1024;

    /** The answer when there is no file to send: a status, a message and extra headers. */
    record Refusal(int status, String message, Map<String, String> headers) {
    }

    private EvidenceRoute() {
    }

    /**
     * Answers with the file {@code name} names, or returns the refusal for the caller to send as its errors are
     * sent (null: answered).
     */
    static Refusal answer(Exchange exchange, EvidenceStore store, String name) throws IOException {
        if (store == null) {
            return new Refusal(404, "This server keeps no evidence (evidence.enabled is false).", Map.of());
        }
        return switch (store.find(name)) {
            case EvidenceStore.Lookup.Found f -> send(exchange, f);
            case EvidenceStore.Lookup.Pending p -> new Refusal(503, "The clip is not written yet: its post-roll is"
                    + " still being recorded. Ask again in " + p.retryAfterSeconds() + " s.",
                    Map.of("Retry-After", Long.toString(p.retryAfterSeconds())));
            case EvidenceStore.Lookup.Failed f -> new Refusal(404, "There is no such clip: " + f.reason() + ".",
                    Map.of());
            case EvidenceStore.Lookup.Missing m -> new Refusal(404, "There is no evidence of that name (it may have"
                    + " been let go: evidence.keepHours, evidence.maxMegabytes).", Map.of());
        };
    }

    private static Refusal send(Exchange exchange, EvidenceStore.Lookup.Found found) throws IOException {
        long size = found.bytes();
        long first = 0;
        long last = size - 1;
        boolean partial = false;
        String range = exchange.header("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.strip());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                try {
                    if (m.group(1).isEmpty()) {
                        first = Math.max(0, size - Long.parseLong(m.group(2)));
                    } else {
                        first = Long.parseLong(m.group(1));
                        if (!m.group(2).isEmpty()) {
                            last = Math.min(last, Long.parseLong(m.group(2)));
                        }
                    }
                } catch (NumberFormatException e) {
                    first = size;   // beyond any file: unsatisfiable
                }
                if (first > last || first >= size) {
                    exchange.setHeader("Content-Range", "bytes */" + size);
                    return new Refusal(416, "The range " + range.strip() + " is not within the file's " + size
                            + " bytes.", Map.of());
                }
                partial = true;
            }
            // Several ranges, or another unit: the whole file (RFC 9110 lets a server ignore Range).
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(found.file());
        } catch (NoSuchFileException e) {
            return new Refusal(404, "There is no evidence of that name (it was just let go).", Map.of());
        }
        try (channel; InputStream in = Channels.newInputStream(channel.position(first))) {
            long length = last - first + 1;
            exchange.status(partial ? 206 : 200);
            exchange.setHeader("Content-Type", found.contentType());
            exchange.setHeader("Content-Length", Long.toString(length));
            exchange.setHeader("Accept-Ranges", "bytes");
            // A name is never reused: what it names does not change.
            exchange.setHeader("Cache-Control", "private, max-age=86400, immutable");
            if (partial) {
                exchange.setHeader("Content-Range", "bytes " + first + "-" + last + "/" + size);
            }
            byte[] buffer = new byte[(int) Math.min(CHUNK_BYTES, Math.max(1, length))];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("the file ended early");
                }
                exchange.write(n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n));
                left -= n;
            }
            exchange.end();
        }
        return null;
    }
}
