package io.stoke.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewerTest {

  @Test
  void aUserSeesOnlyTheirOwnFunctionsUnderTheNamesTheyGaveThem() {
    var alice = new Viewer.User("alice");

    assertThat(alice.visibleName("u-alice-greet")).isEqualTo("greet");
    assertThat(alice.visibleName("u-bob-greet")).isNull();
    assertThat(alice.visibleName("hello")).isNull();
    assertThat(alice.internalName("greet")).isEqualTo("u-alice-greet");
  }

  @Test
  void aUserWhoseNameStartsLikeAnothersDoesNotSeeTheirs() {
    assertThat(new Viewer.User("al").visibleName("u-alice-greet")).isNull();
  }

  @Test
  void theOperatorSeesEveryFunctionByItsInternalName() {
    var operator = new Viewer.Operator();

    assertThat(operator.visibleName("hello")).isEqualTo("hello");
    assertThat(operator.visibleName("u-bob-greet")).isEqualTo("u-bob-greet");
  }

  @Test
  void theStateOfAFunctionFollowsItsInstancesAndItsLastColdStart() {
    assertThat(DashboardViews.state(Map.of("ready", 1), true)).isEqualTo("READY");
    assertThat(DashboardViews.state(Map.of("ready", 0), true)).isEqualTo("FAILED");
    assertThat(DashboardViews.state(Map.of("starting", 1), false)).isEqualTo("STARTING");
    assertThat(DashboardViews.state(Map.of("ready", 0), false)).isEqualTo("IDLE");
  }

  @Test
  void settingsNameTheKeyTheValueAndTheAllowedRange() {
    assertThatThrownBy(() -> new DashboardProperties(Duration.ofSeconds(2), Map.of()))
        .hasMessage("stoke.dashboard.history = PT2S, must be in [10s, 1h]");
    assertThatThrownBy(
            () ->
                new DashboardProperties(
                    Duration.ofMinutes(5), Map.of("orchestrator", URI.create("ftp://x/"))))
        .hasMessage("stoke.dashboard.health.orchestrator = ftp://x/, must be an http(s) URL");
    assertThat(new DashboardProperties(Duration.ofMinutes(5), null).samples()).isEqualTo(300);
  }
}
