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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter examples, Python ({@code counter}) and Java ({@code counter-java}), through the real
 * platform: their counts live in the state service, reached through each function's Unix socket, so
 * they survive the functions scaling to zero and every platform service being restarted.
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
        - name: counter-java
          runtime: java
          source: counter-java
          handler: CounterHandler
          version: "it"
          scaling: {idleTimeout: 2s}
      """;

  private static final List<String> COUNTERS = List.of("counter", "counter-java");

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(Platform platform, String path) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(platform.gateway() + path))
            .timeout(Duration.ofMinutes(2))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** One hit on the function's page; asserts it answered with the expected count. */
  private HttpResponse<String> hit(Platform platform, String function, int expected)
      throws Exception {
    var response = get(platform, "/" + function);
    assertThat(response.statusCode())
        .as(function + ": " + response.body() + "\n" + platform.tail("orchestrator"))
        .isEqualTo(200);
    assertThat(response.body()).as(function).containsPattern("\"hits\":\\s*" + expected + "\\b");
    return response;
  }

  private static void awaitZero(Platform platform, String why) {
    var registry = new InstanceRegistry(platform.redis());
    await(why)
        .atMost(Duration.ofMinutes(2))
        .until(() -> COUNTERS.stream().allMatch(fn -> registry.instances(fn).isEmpty()));
  }

  @Test
  void thePythonAndJavaCountsSurviveScaleToZeroAndARestartOfEveryService() throws Exception {
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    try (var platform = Platform.start(definitions, "counter")) {
      for (var function : COUNTERS) {
        for (int hit = 1; hit <= 3; hit++) {
          hit(platform, function, hit);
        }
      }
      awaitZero(platform, "both counters scale to zero");
      for (var function : COUNTERS) {
        var afterZero = hit(platform, function, 4);
        assertThat(afterZero.headers().firstValue("X-Stoke-Cold-Start")).contains("true");
      }

      // Every service process (stats listener, state, orchestrator, gateway) stops and starts
      // again against the same redis-server: the counts live in Redis, nowhere else.
      platform.restartServices();
      for (var function : COUNTERS) {
        hit(platform, function, 5);
      }
      awaitZero(platform, "both counters scale to zero after the restart");
      for (var function : COUNTERS) {
        hit(platform, function, 6);
      }
    }
  }
}
