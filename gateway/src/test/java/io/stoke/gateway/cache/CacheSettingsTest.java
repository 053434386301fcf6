package io.stoke.gateway.cache;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class CacheSettingsTest {

  @Test
  void aNegativeBudgetOrAnAnswerBoundBeyondItIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> new CacheSettings(DataSize.ofBytes(-1), DataSize.ofBytes(1)))
        .hasMessageStartingWith("stoke.cache.max-bytes = -1B, must be in [0B, ");
    assertThatThrownBy(() -> new CacheSettings(DataSize.ofMegabytes(1), DataSize.ofMegabytes(2)))
        .hasMessage("stoke.cache.max-answer-size = 2097152B, must be in [1B, 1048576B]");
    assertThatThrownBy(() -> new CacheSettings(DataSize.ofMegabytes(1), DataSize.ofBytes(0)))
        .hasMessageStartingWith("stoke.cache.max-answer-size = 0B");
  }
}
