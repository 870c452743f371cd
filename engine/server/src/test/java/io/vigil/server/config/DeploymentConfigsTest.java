package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The serve configs that docker-gpu/ ships (the compose fleet's files and the Kubernetes ConfigMap's) load through
 * the same loader as `vigil serve --config`, with the roles their names promise: a key renamed in the code breaks
 * this test, not a deployment.
 */
class DeploymentConfigsTest {
    private static final Path DOCKER = Path.of("..", "..", "docker-gpu");

    @Test
    void composeFleetConfigsLoad() throws IOException {
        for (String role : List.of("video", "audio")) {
            Path file = DOCKER.resolve("fleet").resolve(role + ".yaml");
            ServeConfig c = ServeConfigLoader.parse(file.toString(), Files.readString(file));
            assertThat(c.cluster()).as(file.toString()).isNotNull();
            assertThat(c.cluster().role().wireName()).isEqualTo(role);
        }
    }

    @Test
    void kubernetesConfigMapConfigsLoad() throws IOException {
        Path file = DOCKER.resolve("k8s").resolve("configmap.yaml");
        List<String> roles = new ArrayList<>();
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
            if (!(doc instanceof Map<?, ?> map) || !"ConfigMap".equals(map.get("kind"))) {
                continue;
            }
            Map<?, ?> data = (Map<?, ?>) map.get("data");
            for (var e : data.entrySet()) {
                String name = e.getKey().toString();
                ServeConfig c = ServeConfigLoader.parse(file + ":" + name, e.getValue().toString());
                assertThat(c.cluster()).as(name).isNotNull();
                assertThat(name).startsWith(c.cluster().role().wireName());
                roles.add(c.cluster().role().wireName());
            }
        }
        assertThat(roles).contains("video", "audio");
    }
}
