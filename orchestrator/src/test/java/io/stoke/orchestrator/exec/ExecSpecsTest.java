package io.stoke.orchestrator.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.ActivationRequest;
import io.stoke.orchestrator.docker.Installation;
import io.stoke.orchestrator.docker.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecSpecsTest {

  private static final Installation INSTALLATION = new Installation("home");

  static ActivationRequest request() {
    return new ActivationRequest(
        "a1b2",
        "u-alice-upper",
        "alice",
        "stoke-examples/upper:1.0",
        "hi",
        5000,
        64L << 20,
        0.5,
        64,
        1 << 20,
        0L,
        Map.of("GREETING", "hi", "STOKE_ACTIVATION", "spoofed"));
  }

  @Test
  void anActivationOverridesTheManagedLabelsItsImageMayCarry() {
    var spec = ExecSpecs.forActivation(request(), INSTALLATION);

    // Any image may carry io.stoke.managed=true; the container's own labels win.
    assertThat(spec.labels())
        .containsEntry(Labels.MANAGED, "false")
        .containsEntry(Labels.FUNCTION, "")
        .containsEntry(ExecSpecs.ACTIVATION_LABEL, "a1b2")
        .containsEntry(Labels.INSTALLATION, "home")
        .containsEntry("io.stoke.exec-function", "u-alice-upper");
  }

  @Test
  void anActivationHasNoNetworkAndRunsHardened() {
    var spec = ExecSpecs.forActivation(request(), INSTALLATION);

    assertThat(spec.network()).isEqualTo("none");
    assertThat(spec.name()).isEqualTo("stoke-exec-a1b2");
    assertThat(spec.image()).isEqualTo("stoke-examples/upper:1.0");
  }

  @Test
  void anActivationGetsItsFunctionsVariablesButThePlatformsWin() {
    var spec = ExecSpecs.forActivation(request(), INSTALLATION);

    assertThat(spec.environment())
        .containsExactly("GREETING=hi", "STOKE_ACTIVATION=a1b2", "STOKE_FUNCTION=u-alice-upper");
  }
}
