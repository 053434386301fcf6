package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.registry.InstanceRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter example through the real platform: its count lives in the state service, reached
 * through the function's Unix socket, so it survives the function scaling to zero and back.
 */
class CounterIT {

  static final String DEFINITIONS =
      """
      functions:
        - name: counter
          runtime: python
          source: counter
          version: "it"
          scaling: {idleTimeout: 2s}
      """;

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(Platform platform, String path) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(platform.gateway() + path))
            .timeout(Duration.ofMinutes(2))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCountSurvivesScaleToZero() throws Exception {
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    try (var platform = Platform.start(definitions, "counter")) {
      for (int hit = 1; hit <= 3; hit++) {
        var response = get(platform, "/counter");
        assertThat(response.statusCode()).as(platform.tail("orchestrator")).isEqualTo(200);
        assertThat(response.body()).contains("\"hits\": " + hit);
      }
      var registry = new InstanceRegistry(platform.redis());
      await("counter scales to zero")
          .atMost(Duration.ofMinutes(2))
          .until(() -> registry.instances("counter").isEmpty());
      var afterZero = get(platform, "/counter");
      assertThat(afterZero.statusCode()).isEqualTo(200);
      assertThat(afterZero.headers().firstValue("X-Stoke-Cold-Start")).contains("true");
      assertThat(afterZero.body()).contains("\"hits\": 4");
    }
  }
}
