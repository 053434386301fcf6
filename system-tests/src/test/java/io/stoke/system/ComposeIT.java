package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml as a deployment: every service built into an image locally (no registry),
 * brought up with healthchecks and {@code depends_on}, and a function called through it. Envoy's
 * image cannot be had here, so the gateway runs in direct mode and Envoy is left out.
 */
class ComposeIT {

  static final String PROJECT = "stoke-compose-it";
  static final Map<String, String> env = new HashMap<>();
  static int gatewayPort;

  static List<String> compose(String... args) {
    var command =
        new ArrayList<>(
            List.of(
                "docker-compose",
                "-p",
                PROJECT,
                "-f",
                Platform.ROOT.resolve("docker-compose.yml").toString()));
    command.addAll(List.of(args));
    return command;
  }

  static String run(List<String> command, long seconds) {
    var builder =
        new ProcessBuilder(command).directory(Platform.ROOT.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      var process = builder.start();
      var output =
          new String(
              process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)
          || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
      return output;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void up() throws Exception {
    env.putAll(Platform.baseImages());
    var images =
        Docker.run(
            List.of("bash", Platform.ROOT.resolve("scripts/service-images.sh").toString()), 600);
    images
        .lines()
        .filter(l -> l.startsWith("STOKE_JAVA_BASE=") || l.startsWith("STOKE_REDIS_IMAGE="))
        .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    gatewayPort = RedisServer.freePort();
    env.put("STOKE_GATEWAY_PORT", String.valueOf(gatewayPort));
    env.put("STOKE_GATEWAY_MODE", "direct");
    env.put("STOKE_PROJECT_DIR", Platform.ROOT.toString());
    env.put("STOKE_INSTALLATION_ID", Docker.INSTALLATION);
    run(compose("config", "-q"), 60);
    run(
        compose(
            "up",
            "-d",
            "--no-build",
            "redis",
            "stats-listener",
            "xds-control-plane",
            "orchestrator"),
        300);
    run(compose("up", "-d", "--no-build", "--no-deps", "gateway"), 120);
  }

  @AfterAll
  static void down() {
    // A stopped orchestrator leaves its instances running (a restarted one adopts them), and a
    // function container still attached to stoke-functions makes `down` fail to remove that
    // network: stop the stack, remove the function containers, then take the stack down.
    try {
      run(compose("stop"), 180);
    } finally {
      Docker.removeOwnContainers();
      run(compose("down", "-v", "--remove-orphans"), 180);
    }
  }

  @Test
  void servesAFunctionThroughTheComposedStack() {
    var client = HttpClient.newHttpClient();
    var hello = URI.create("http://127.0.0.1:" + gatewayPort + "/hello");

    await("/hello through docker-compose")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var response =
                  client.send(
                      HttpRequest.newBuilder(hello).timeout(Duration.ofSeconds(60)).build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.body()).contains("\"Hello\"");
            });
    var status = run(compose("ps"), 60);
    assertThat(status).contains("orchestrator").contains("gateway").contains("redis");
    assertThat(status).doesNotContain("unhealthy").doesNotContain("Exit");
  }
}
