package io.vigil.server.http;

import io.vigil.server.VigilVersion;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OpenAPI description as served: its {@code info.version} is the build's (the file's own is a placeholder). */
final class OpenApiVersion {
    /** info's version line: the first two-space-indented {@code version:} after {@code info:}. */
    private static final Pattern INFO_VERSION = Pattern.compile("(?m)^(info:\\R(?:  .*\\R)*?  version: ).*$");

    private OpenApiVersion() {
    }

    static byte[] stamp(byte[] yaml) {
        String text = new String(yaml, StandardCharsets.UTF_8);
        Matcher m = INFO_VERSION.matcher(text);
        if (!m.find()) {
            return yaml;
        }
        return (text.substring(0, m.start()) + m.group(1) + VigilVersion.version() + text.substring(m.end()))
                .getBytes(StandardCharsets.UTF_8);
    }
}
