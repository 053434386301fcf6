package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LivenessSettingsTest {

  @Test
  void acceptsATimeoutUpToTheInterval() {
    var settings = new LivenessSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), 1);

    assertThat(settings.failures()).isEqualTo(1);
  }

  @Test
  void namesTheKeyTheValueAndTheRangeOfABadFailureCount() {
    assertThatThrownBy(() -> new LivenessSettings(Duration.ofSeconds(5), Duration.ofSeconds(2), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stoke.liveness.failures = 0, must be in [1, 100]");
  }

  @Test
  void rejectsATimeoutLongerThanTheInterval() {
    assertThatThrownBy(() -> new LivenessSettings(Duration.ofSeconds(1), Duration.ofSeconds(2), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stoke.liveness.timeout = 2000ms, must be in [1ms, 1000ms]");
  }

  @Test
  void rejectsAZeroInterval() {
    assertThatThrownBy(() -> new LivenessSettings(Duration.ZERO, Duration.ofSeconds(2), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("stoke.liveness.interval = 0ms, must be in [1ms, ");
  }
}
