package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

class StatePropertiesTest {

  @Test
  void theShippedApplicationYmlLoadsWithTheDocumentedDefaults() throws Exception {
    var environment = new StandardEnvironment();
    for (var source :
        new YamlPropertySourceLoader().load("app", new ClassPathResource("application.yml"))) {
      environment.getPropertySources().addLast(source);
    }
    var properties = Binder.get(environment).bind("stoke.state", StateProperties.class).get();
    assertThat(properties.port()).isEqualTo(8084);
    assertThat(properties.limits()).isEqualTo(StateLimits.defaults());
    assertThat(properties.socketRoot()).isEmpty();
  }

  @Test
  void aMaxSessionTimeoutBelowTheMinimumIsRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                new StateProperties(
                    0, null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(1), null, null))
        .hasMessageContaining("stoke.state.max-session-timeout")
        .hasMessageContaining("stoke.state.min-session-timeout");
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new StateProperties(70000, null, null, null, null, null, null, null))
        .hasMessage("stoke.state.port = 70000, must be in [0, 65535]");
  }
}
