package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class StokePropertiesTest {

  private static StokeProperties.Gateway gateway(Duration ioSpin) {
    return gateway(ioSpin, Duration.ofSeconds(10), 256);
  }

  private static StokeProperties.Gateway gateway(
      Duration ioSpin, Duration requestHeadTimeout, int maxConnectionsPerClient) {
    return new StokeProperties.Gateway(
        StokeProperties.Mode.DIRECT,
        URI.create("http://127.0.0.1:10000"),
        DataSize.ofMegabytes(6),
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        "",
        ioSpin,
        requestHeadTimeout,
        maxConnectionsPerClient);
  }

  @Test
  void ioSpinIsBetweenZeroAndOneMillisecond() {
    assertThat(gateway(Duration.ZERO).ioSpin()).isZero();
    assertThat(gateway(Duration.ofMillis(1)).ioSpin()).isEqualTo(Duration.ofMillis(1));
    for (var wrong : new Duration[] {Duration.ofNanos(-1), Duration.ofNanos(1_000_001), null}) {
      assertThatThrownBy(() -> gateway(wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "stoke.gateway.io-spin = "
                  + wrong
                  + ", must be between 0 (loops block at once) and 1000us");
    }
  }

  @Test
  void requestHeadTimeoutIsPositiveAndTheConnectionCapAtLeastOne() {
    assertThat(gateway(Duration.ZERO, Duration.ofSeconds(10), 256).requestHeadTimeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> gateway(Duration.ZERO, Duration.ZERO, 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stoke.gateway.request-head-timeout = PT0S, must be positive");
    assertThatThrownBy(() -> gateway(Duration.ZERO, Duration.ofSeconds(10), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stoke.gateway.max-connections-per-client = 0, must be in [1, 1000000]");
  }
}
