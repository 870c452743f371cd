package io.vigil.server.delivery.format;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The links a body carries back to vigil: its dashboard page for a stream, under the configured public URL. */
final class Links {
    private Links() {
    }

    /** {@code publicUrl} + {@code path}, with exactly one slash between them. */
    static String join(URI publicUrl, String path) {
        String base = publicUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + (path.startsWith("/") ? path : "/" + path);
    }

    /** The dashboard with {@code stream}'s detail open ({@code /#stream=ID}); null without a public URL. */
    static String dashboard(URI publicUrl, String stream) {
        return publicUrl == null ? null
                : join(publicUrl, "/#stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
