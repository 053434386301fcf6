package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadinessProbeTest {

  @Test
  void pollsTightlyAtFirstAndBacksOffToFiftyMilliseconds() {
    long interval = ReadinessProbe.FIRST_INTERVAL_MS;
    assertThat(interval).isEqualTo(2);
    long total = 0;
    for (int i = 0; i < 10; i++) {
      total += interval;
      interval = ReadinessProbe.nextInterval(interval);
    }
    assertThat(total).isLessThan(200);
    for (int i = 0; i < 50; i++) {
      interval = ReadinessProbe.nextInterval(interval);
    }
    assertThat(interval).isEqualTo(50);
  }

  @Test
  void acceptsOnlyA2xxStatusLine() {
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 200 OK")).isTrue();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.0 200")).isTrue();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 204 No Content")).isTrue();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 301 Moved Permanently")).isFalse();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 404 Not Found")).isFalse();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 2000 nonsense")).isFalse();
    assertThat(ReadinessProbe.isOkStatusLine("HTTP/1.1 503 Service Unavailable")).isFalse();
    assertThat(ReadinessProbe.isOkStatusLine("")).isFalse();
  }
}
