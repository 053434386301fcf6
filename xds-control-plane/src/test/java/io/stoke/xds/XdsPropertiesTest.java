package io.stoke.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class XdsPropertiesTest {

  private static XdsProperties withBind(String bind) {
    return new XdsProperties(
        18000,
        bind,
        "stoke",
        Duration.ofMillis(30),
        Duration.ofSeconds(30),
        "0.0.0.0",
        10000,
        "stoke-grpc",
        Duration.ofSeconds(2));
  }

  @Test
  void acceptsLoopbackAndWildcardAddressesOfBothFamilies() {
    assertThat(withBind("127.0.0.1").adsAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(withBind("0.0.0.0").adsAddress().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(withBind("::").adsAddress().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(withBind("::1").adsAddress().getPort()).isEqualTo(18000);
  }

  @Test
  void refusesABindThatIsNotAnIpAddressNamingTheKeyAndTheValue() {
    for (String bad : new String[] {"", "localhost", "127.0.0.256", "0.0.0.0:18000"}) {
      assertThatThrownBy(() -> withBind(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stoke.xds.bind = '" + bad + "'")
          .hasMessageContaining("must be an IP address");
    }
  }
}
