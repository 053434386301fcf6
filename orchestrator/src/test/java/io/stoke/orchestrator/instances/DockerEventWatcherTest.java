package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.orchestrator.instances.DockerEventWatcher.Lifecycle;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerEventWatcherTest {

  @Test
  void aSigkillOrAnOutOfMemoryKillMeansTheInstanceIsDyingBeforeItsDieEvent() {
    assertThat(DockerEventWatcher.lifecycle("kill", Map.of("signal", "9")))
        .isEqualTo(Lifecycle.DYING);
    assertThat(DockerEventWatcher.lifecycle("oom", Map.of())).isEqualTo(Lifecycle.DYING);
    assertThat(DockerEventWatcher.lifecycle("die", Map.of("exitCode", "137")))
        .isEqualTo(Lifecycle.EXITED);
  }

  @Test
  void otherSignalsLeaveTheInstanceServingUntilItExits() {
    assertThat(DockerEventWatcher.lifecycle("kill", Map.of("signal", "15")))
        .isEqualTo(Lifecycle.NONE);
    assertThat(DockerEventWatcher.lifecycle("kill", Map.of("signal", "1")))
        .isEqualTo(Lifecycle.NONE);
    assertThat(DockerEventWatcher.lifecycle("kill", Map.of())).isEqualTo(Lifecycle.NONE);
    assertThat(DockerEventWatcher.lifecycle("start", Map.of())).isEqualTo(Lifecycle.NONE);
    assertThat(DockerEventWatcher.lifecycle(null, null)).isEqualTo(Lifecycle.NONE);
  }
}
