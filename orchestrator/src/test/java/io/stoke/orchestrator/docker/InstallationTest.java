package io.stoke.orchestrator.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InstallationTest {

  @Test
  void acceptsAShortTokenOfLowercaseLettersDigitsAndDashes() {
    assertThat(new Installation("test-1a2b3c4d").id()).isEqualTo("test-1a2b3c4d");
    assertThat(new Installation(Installation.DEFAULT_ID).labelFilter())
        .isEqualTo("io.stoke.installation=default");
  }

  @Test
  void rejectsAnythingElseNamingTheKeyTheValueAndWhatIsAllowed() {
    for (var bad : new String[] {"", "Prod", "-x", "a b", "a=b", "x".repeat(41)}) {
      assertThatThrownBy(() -> new Installation(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stoke.installation-id = '" + bad + "'")
          .hasMessageContaining("a-z, 0-9 and '-'");
    }
    assertThatThrownBy(() -> new Installation(null)).hasMessageContaining("stoke.installation-id");
  }

  @Test
  void ownsOnlyManagedInstancesCarryingItsOwnId() {
    var home = new Installation("home");
    assertThat(home.ownsInstance(home.instanceLabels())).isTrue();
    assertThat(home.ownsInstance(new Installation("away").instanceLabels())).isFalse();
    assertThat(home.ownsInstance(Map.of(Labels.MANAGED, "true"))).isFalse();
    assertThat(home.ownsInstance(Map.of(Labels.MANAGED, "false", Labels.INSTALLATION, "home")))
        .isFalse();
    assertThat(home.ownsInstance(null)).isFalse();
  }
}
