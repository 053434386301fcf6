package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in real headless Chromium against the real platform: the node script
 * dashboard/e2e/dashboard.e2e.mjs (playwright-core driving /usr/bin/chromium) does what issue 21
 * lists and saves its screenshots under target/dashboard-e2e/.
 */
class DashboardIT {

  static final String DEFINITIONS =
      """
      functions:
        - name: hello
          runtime: python
          source: hello
          handler: handler.py
          version: "dashboard-it"
          scaling: {idleTimeout: 3s}
      """;

  /** The image the orchestrator builds for hello, which alice registers as her own function. */
  static final String HELLO = "stoke-fn/hello:dashboard-it";

  static final String PASSWORD = "correct horse battery staple";
  static final Path OUT = Platform.ROOT.resolve("system-tests/target/dashboard-e2e");

  @TempDir static Path dir;
  static Platform platform;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    platform =
        Platform.startWithApi(
            definitions, "dashboard", List.of("--stoke.registrations-per-minute=1000"));
    await("hello published")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> platform.redis().hexists("stoke:functions", "hello"));
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void anOperatorWatchesHelloScaleUpAndDownAndAUserSeesOnlyTheirOwnFunctions() throws Exception {
    runBrowser(Map.of("PHASE", "operator", "TOKEN", platform.metricsToken));

    var alice = "alice" + System.nanoTime() % 100_000;
    var created = call("POST", "/api/v1/users", null, Map.of("name", alice, "password", PASSWORD));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    var token = call("POST", "/api/v1/tokens", null, Map.of("name", alice, "password", PASSWORD));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
    var key = (String) Json.read(token.body(), Map.class).get("key");
    var registered =
        call(
            "POST",
            "/api/v1/functions",
            key,
            Map.of("name", "greet", "image", HELLO, "mode", "http", "port", 8080));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);

    runBrowser(Map.of("PHASE", "user", "USER_KEY", key, "USER_FUNCTION", "greet"));

    // The README's screenshot is the one this test just took.
    Files.copy(
        OUT.resolve("05-functions-ready.png"),
        Platform.ROOT.resolve("docs/dashboard.png"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static void runBrowser(Map<String, String> settings) throws Exception {
    var dashboard = Platform.ROOT.resolve("dashboard");
    var log = OUT.resolve("e2e-" + settings.get("PHASE") + ".log");
    Files.createDirectories(OUT);
    var builder =
        new ProcessBuilder("node", "e2e/dashboard.e2e.mjs")
            .directory(dashboard.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(settings);
    builder.environment().put("BASE_URL", platform.gateway().toString().replaceAll("/$", ""));
    builder.environment().put("OUT_DIR", OUT.toString());
    var process = builder.start();
    boolean ended = process.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as("the browser test ended within 5 minutes; log: " + log).isTrue();
    assertThat(process.exitValue())
        .as("the browser test (%s) failed:%n%s", log, Files.readString(log))
        .isZero();
  }

  private static HttpResponse<String> call(
      String method, String path, String key, Map<String, Object> body) throws Exception {
    var builder =
        HttpRequest.newBuilder(URI.create(platform.gateway() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }
}
