package io.stoke.orchestrator.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateMountTest {

  private static ContainerSpec plain() {
    return new ContainerSpec(
        "c",
        "img",
        Map.of(),
        List.of("A=1"),
        8080,
        "",
        "none",
        1 << 20,
        1000,
        64,
        ContainerSettings.USER,
        List.of("ALL"),
        List.of("no-new-privileges"),
        true,
        Map.of("/tmp", ContainerSettings.TMPFS_OPTIONS));
  }

  @Test
  void mountsOnlyTheFunctionsOwnFolderReadOnlyAndNamesTheSocket() {
    var spec = new StateMount("/var/lib/stoke/state-sockets/").apply(plain(), "counter");
    assertThat(spec.binds())
        .containsExactly("/var/lib/stoke/state-sockets/counter:/run/stoke-state:ro");
    assertThat(spec.environment())
        .containsExactly("A=1", "STOKE_STATE_SOCKET=/run/stoke-state/state.sock");
  }

  @Test
  void keepsTheHardeningAndTheNetworkAsTheyWere() {
    var before = plain();
    var after = new StateMount("/s").apply(before, "counter");
    assertThat(after.network()).isEqualTo("none");
    assertThat(after.user()).isEqualTo(before.user());
    assertThat(after.capDrop()).isEqualTo(before.capDrop());
    assertThat(after.securityOpts()).isEqualTo(before.securityOpts());
    assertThat(after.readOnlyRootfs()).isTrue();
    assertThat(after.tmpfs()).isEqualTo(before.tmpfs());
    assertThat(DockerContainers.hardened(after).getBinds()).hasSize(1);
    assertThat(DockerContainers.hardened(after).getBinds()[0].getAccessMode().toString())
        .isEqualTo("ro");
  }

  @Test
  void withoutASocketRootNothingChanges() {
    assertThat(StateMount.NONE.apply(plain(), "counter")).isEqualTo(plain());
    assertThat(DockerContainers.hardened(plain()).getBinds()).isEmpty();
  }

  @Test
  void aRelativeRootIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> new StateMount("relative/dir"))
        .hasMessageContaining("stoke.state-socket-root = relative/dir");
  }
}
