package io.vigil.server.delivery;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in for a vigil process that dies: accepts alarms into a WebhookSink one after another, printing the index
 * of each accepted one, until the test kills it (SIGKILL: no close, no shutdown hook).
 * Arguments: spool folder, receiver port.
 */
public final class CrashingVigil {
    private CrashingVigil() {
    }

    public static void main(String[] args) throws Exception {
        WebhookSettings settings = new WebhookSettings(URI.create("http://127.0.0.1:" + args[1] + "/hook"), "k",
                Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(200), 1 << 20);
        WebhookSink sink = new WebhookSink(settings, Path.of(args[0]));
        for (int i = 0; ; i++) {
            sink.accept(WebhookSinkTest.alarm(i));
            System.out.println(i);
            System.out.flush();
            Thread.sleep(2);
        }
    }
}
