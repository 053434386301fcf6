package io.stoke.common.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResultCacheTest {

  @Test
  void acceptsTheEdgesOfItsRanges() {
    assertThat(new ResultCache(1, Duration.ofMillis(1)).maxEntries()).isEqualTo(1);
    assertThat(new ResultCache(100_000, Duration.ofHours(1)).ttl()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void rejectsOutOfRangeValuesNamingKeyValueAndRange() {
    assertThatThrownBy(() -> new ResultCache(0, Duration.ofSeconds(1)))
        .hasMessage("cache.maxEntries = 0, must be in [1, 100000]");
    assertThatThrownBy(() -> new ResultCache(10, Duration.ZERO))
        .hasMessage("cache.ttl = 0s, must be in (0, 1h]");
    assertThatThrownBy(() -> new ResultCache(10, Duration.ofMinutes(61)))
        .hasMessageStartingWith("cache.ttl = 61m, must be in (0, 1h]");
  }

  @Test
  void aDefinitionWithACacheMustBeDeclaredPure() {
    var plain =
        new FunctionDefinition(
            "sq",
            Runtime.PYTHON,
            "sq",
            "handler.py",
            "1",
            "stoke-fn/sq:1",
            8080,
            ExecutionMode.HTTP,
            java.util.Map.of(),
            Duration.ofSeconds(10),
            Resources.DEFAULT,
            ScalingPolicy.DEFAULT,
            LoadBalancing.ROUND_ROBIN,
            AuthMode.PUBLIC,
            java.util.List.of(),
            null);

    assertThatThrownBy(() -> plain.withCaching(false, new ResultCache(10, Duration.ofSeconds(1))))
        .hasMessageContaining("function sq: cache needs pure: true");
    assertThat(plain.withCaching(true, new ResultCache(10, Duration.ofSeconds(1))).cached())
        .isTrue();
  }
}
