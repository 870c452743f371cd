package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.server.VigilVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One version everywhere, the pom's: {@code --version}, {@code doctor} (beside the bundled FFmpeg and the host's),
 * the build's own record of it, and the image tag of every deployment file in docker-gpu/. (The OpenAPI description
 * and {@code vigil_build_info}: engine/server's MetricsHttpTest.)
 */
class VersionTest {
    private static final Path DOCKER_GPU = Path.of("../../docker-gpu");

    static String pomVersion() throws Exception {
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void theBuildsVersionIsThePoms() throws Exception {
        assertThat(VigilVersion.version()).isEqualTo(pomVersion());
        CliResult r = CliResult.run("--version");
        assertThat(r.exit).isZero();
        assertThat(r.out.strip()).isEqualTo("vigil " + pomVersion());
    }

    @Test
    void doctorSaysVigilsVersionAndWhichFfmpegDecodes() throws Exception {
        CliResult r = CliResult.run("doctor");
        assertThat(r.exit).isZero();
        assertThat(r.out).startsWith("vigil:    " + pomVersion() + "\n")
                .containsPattern("\nJava: .*25")
                .containsPattern("\nFFmpeg:   8\\.0\\.1 .*, bundled \\(bytedeco's FFmpeg jar: what vigil decodes with\\)\n")
                .containsPattern("\nHost:     (ffmpeg \\S+ at /\\S+ \\(not the one vigil decodes with\\)|no ffmpeg on the PATH)")
                .containsPattern("\nCUDA: ");
        r.assertNoStackTrace();
    }

    @Test
    void everyImageTagInTheDeploymentFilesIsThePomsVersion() throws Exception {
        List<String> tags = new ArrayList<>();
        Pattern image = Pattern.compile("image: vigil-gpu:(\\S+)|newTag: (\\S+)");
        try (Stream<Path> files = Files.walk(DOCKER_GPU)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("node_modules"))
                    .toList()) {
                Matcher m = image.matcher(Files.readString(f));
                while (m.find()) {
                    String tag = m.group(1) != null ? m.group(1) : m.group(2);
                    tags.add(f.getFileName() + ": " + tag);
                    assertThat(tag).as("the image tag in %s", f).isEqualTo(pomVersion());
                }
            }
        }
        assertThat(tags).as("compose.yaml, compose.fleet.yaml, the StatefulSets and kustomization.yaml")
                .hasSizeGreaterThanOrEqualTo(5);
    }
}
