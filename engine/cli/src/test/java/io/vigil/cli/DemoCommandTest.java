package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil demo}, the README's first command: the three injected defects are found at their times. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void findsEveryInjectedDefect() {
        Path clip = dir.resolve("demo.mkv");
        CliResult r = CliResult.run("demo", "--keep", clip.toString());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).as(r.toString())
                .contains("ok   black    injected  4.00- 7.00 s, found  4.00- 7.00 s")
                .contains("ok   freeze   injected 10.00-13.00 s, found 10.00-13.00 s")
                .contains("ok   silence  injected 15.00-18.00 s, found 15.00-18.00 s")
                .contains("vigil found every injected defect at its time.");
        assertThat(clip).isNotEmptyFile();
        r.assertNoStackTrace();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void jsonlDemoFollowsTheContract() {
        CliResult r = CliResult.run("demo", "--format", "jsonl", "--keep", dir.resolve("d.mkv").toString());
        assertThat(r.exit).as(r.toString()).isZero();
        // black, freeze and silence, each firing then resolved: the black stretch's still picture raises no freeze.
        assertThat(r.out.lines().filter(l -> l.startsWith("{\"type\":\"alarm\"")).count()).isEqualTo(6);
    }
}
