package io.stoke.stats.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatsPropertiesTest {

  private static StatsProperties ports(int port, int gatewayPort) {
    return new StatsProperties(
        port,
        "127.0.0.1",
        gatewayPort,
        "127.0.0.1",
        8_388_608,
        Duration.ofSeconds(1),
        Duration.ofMillis(250),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        new StatsProperties.Limits(
            65_507, 4_096, 1_000, 10_000, 1_024, 50_000, 100_000, Duration.ofSeconds(60)));
  }

  @Test
  void refusesAGatewayPortThatIsThePublicPortOrOutOfRange() {
    assertThatThrownBy(() -> ports(8125, 8125))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stoke.stats.gateway-port = 8125")
        .hasMessageContaining("differ from stoke.stats.port");
    assertThatThrownBy(() -> ports(8125, 70_000))
        .hasMessageContaining("stoke.stats.gateway-port = 70000, must be in [0, 65535]");
  }

  @Test
  void letsBothPortsBeChosenByTheKernel() {
    assertThat(ports(0, 0).gatewayPort()).isZero();
    assertThat(ports(8125, 8126).gatewayPort()).isEqualTo(8126);
  }
}
