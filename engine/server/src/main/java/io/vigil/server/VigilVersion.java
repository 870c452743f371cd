package io.vigil.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * vigil's version as the build wrote it (the pom's, filtered into {@code version.properties}), and the FFmpeg vigil
 * decodes with: what {@code --version}, {@code doctor}, {@code vigil_build_info} and the OpenAPI description say.
 */
public final class VigilVersion {
    private static volatile String version;

    private VigilVersion() {
    }

    /** The pom's version, e.g. {@code 0.1.0-SNAPSHOT}; "development" when the resource is missing (never in a build). */
    public static String version() {
        String v = version;
        if (v == null) {
            v = read();
            version = v;
        }
        return v;
    }

    private static String read() {
        try (InputStream in = VigilVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "development";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").trim();
            return v.isEmpty() || v.startsWith("${") ? "development" : v;
        } catch (IOException e) {
            return "development";
        }
    }

    /** The FFmpeg bundled in bytedeco's jar (what vigil decodes with), e.g. {@code 8.0.1}; "unavailable" when it does not load. */
    public static String bundledFfmpeg() {
        try {
            var info = org.bytedeco.ffmpeg.global.avutil.av_version_info();
            return info == null ? "unknown" : info.getString();
        } catch (Throwable t) {
            return "unavailable";
        }
    }
}
