package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./stoke up} as a user runs it, on its own ports and state folder: a service that crashes
 * is restarted while the others keep running, {@code ./stoke restart} brings one back with the
 * settings {@code up} wrote, and SIGTERM stops everything.
 */
class StokeUpIT {

  private static final List<String> SERVICES =
      List.of("stats-listener", "xds-control-plane", "orchestrator", "api-server", "gateway");

  @TempDir Path state;
  @TempDir Path definitionsDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Integer> healthPorts = new LinkedHashMap<>();
  private Map<String, String> env;
  private Process up;

  @BeforeEach
  void startThePlatform() throws Exception {
    for (var svc : SERVICES) {
      healthPorts.put(svc, RedisServer.freePort());
    }
    var definitions = definitionsDir.resolve("global-function-definition.yml");
    Files.writeString(definitions, "functions: []\n");
    // Any crash within 10 min of a start is a quick one; the second in a row makes up give up.
    env =
        Map.of(
            "STOKE_STATE",
            state.toString(),
            "STOKE_RESTART_QUICK",
            "600",
            "STOKE_RESTART_LIMIT",
            "2");
    up =
        StokeCommand.start(
            state,
            "up",
            env,
            "up",
            "--no-build",
            "--definitions",
            definitions.toString(),
            "--redis-url",
            "redis://127.0.0.1:" + RedisServer.freePort(),
            "--port",
            port("gateway"),
            "--api-port",
            port("api-server"),
            "--orchestrator-port",
            port("orchestrator"),
            "--stats-admin-port",
            port("stats-listener"),
            "--xds-http-port",
            port("xds-control-plane"),
            "--xds-port",
            String.valueOf(RedisServer.freePort()),
            "--stats-port",
            String.valueOf(RedisServer.freePort()),
            "--stats-gateway-port",
            String.valueOf(RedisServer.freePort()),
            "--state-port",
            String.valueOf(RedisServer.freePort()));
    await("./stoke up says the platform is up")
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              assertThat(up.isAlive()).as("./stoke up is running: %s", upOutput()).isTrue();
              return upOutput().contains("Stoke is up");
            });
  }

  @AfterEach
  void stopThePlatform() throws Exception {
    keepTheLogs();
    if (up != null && up.isAlive()) {
      up.destroy();
      up.waitFor(3, TimeUnit.MINUTES);
    }
    // Whatever happened above, nothing this test started may outlive it.
    StokeCommand.run(state, "down", env, Duration.ofMinutes(3), "down");
  }

  @Test
  void aKilledServiceComesBackARestartKeepsTheSettingsAndSigtermStopsAll() throws Exception {
    aKilledServiceComesBackHealthyWhileTheOthersKeepRunning();
    aServiceThatKeepsCrashingIsGivenUpWhileTheOthersKeepServing();
    restartBringsAServiceBackWithTheSettingsUpWroteAndNoSecretInSight();
    sigtermStopsEveryService();
  }

  @Test
  void downFromAnotherShellStopsEveryServiceAndUpWithThem() throws Exception {
    var all = pids();

    var result = StokeCommand.run(state, "down", env, Duration.ofMinutes(3), "down");

    assertThat(result.exitCode()).as(result.both()).isZero();
    // Without the stop marker, up's supervisor took each stopped service for a crash and started
    // it again, so up never ended and services outlived down.
    assertThat(up.waitFor(1, TimeUnit.MINUTES))
        .as("./stoke up ends once down stopped its services: %s", upOutput())
        .isTrue();
    assertThat(upOutput()).contains("stopped by ./stoke down").doesNotContain("restarting");
    assertThat(all.values())
        .allSatisfy(
            pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
  }

  private void aServiceThatKeepsCrashingIsGivenUpWhileTheOthersKeepServing() throws Exception {
    var others = pids();
    others.remove("stats-listener");
    ProcessHandle.of(pid("stats-listener")).orElseThrow().destroyForcibly();

    await("up gives up on the stats listener")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> upOutput().contains("giving up on stats-listener after 2 quick crashes"));

    assertThat(upOutput()).contains("the other services keep serving");
    assertThat(up.isAlive()).isTrue();
    others.forEach(
        (svc, pid) ->
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as(svc).isPresent());
    assertThat(healthy("gateway")).isTrue();
  }

  private void aKilledServiceComesBackHealthyWhileTheOthersKeepRunning() throws Exception {
    var before = pids();
    ProcessHandle.of(before.get("stats-listener")).orElseThrow().destroyForcibly();

    await("the stats listener is restarted and healthy")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                !pid("stats-listener").equals(before.get("stats-listener"))
                    && healthy("stats-listener"));

    for (var svc : List.of("xds-control-plane", "orchestrator", "api-server", "gateway")) {
      assertThat(pid(svc)).as(svc + "'s pid").isEqualTo(before.get(svc));
      assertThat(ProcessHandle.of(before.get(svc)).map(ProcessHandle::isAlive)).contains(true);
    }
    assertThat(upOutput())
        .contains("stats-listener stopped (killed by SIGKILL)")
        .contains("restarting stats-listener in 1 s with the same settings");
    assertThat(healthy("gateway")).isTrue();
  }

  private void sigtermStopsEveryService() throws Exception {
    var all = pids();
    all.remove("stats-listener");
    up.destroy();
    assertThat(up.waitFor(3, TimeUnit.MINUTES)).as("./stoke up stops on SIGTERM").isTrue();
    assertThat(all.values())
        .allSatisfy(
            pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
  }

  private void restartBringsAServiceBackWithTheSettingsUpWroteAndNoSecretInSight()
      throws Exception {
    long before = pid("orchestrator");

    var result =
        StokeCommand.run(state, "restart", env, Duration.ofMinutes(4), "restart", "orchestrator");

    assertThat(result.exitCode()).as(result.both()).isZero();
    long after = pid("orchestrator");
    assertThat(after).isNotEqualTo(before);
    // The health port is set only in the settings file: answering on it proves the file was read.
    assertThat(healthy("orchestrator")).isTrue();
    var settings = Files.readString(state.resolve("settings/orchestrator.properties"));
    assertThat(settings)
        .containsPattern("(?m)^stoke\\.base\\.python=\\S+$")
        .containsPattern("(?m)^stoke\\.base\\.java-jdk=\\S+$")
        .contains("server.port=" + port("orchestrator"));
    var secret = Files.readString(state.resolve("internal-secret")).strip();
    assertThat(settings).contains("stoke.internal-secret=" + secret);
    assertThat(Files.readString(Path.of("/proc/" + after + "/cmdline"))).doesNotContain(secret);
    assertThat(Files.readString(Path.of("/proc/" + after + "/environ")))
        .doesNotContain(secret)
        .doesNotContain("INTERNALSECRET");
    assertThat(upOutput())
        .as("the supervisor left the hand restart alone")
        .doesNotContain("orchestrator stopped");
  }

  /** The services' logs outlive the temporary state folder, for a failure's post-mortem. */
  private void keepTheLogs() throws IOException {
    var logs = state.resolve("logs");
    var kept = Platform.ROOT.resolve("system-tests/target/platform-logs/stoke-up");
    Files.createDirectories(kept);
    if (Files.isDirectory(logs)) {
      try (var files = Files.list(logs)) {
        for (var log : files.toList()) {
          Files.copy(log, kept.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Files.writeString(kept.resolve("up.out"), upOutput());
  }

  private String port(String svc) {
    return String.valueOf(healthPorts.get(svc));
  }

  private boolean healthy(String svc) {
    try {
      var request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(svc) + "/actuator/health"))
              .timeout(Duration.ofSeconds(5))
              .build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Long pid(String svc) throws IOException {
    return Long.parseLong(Files.readString(state.resolve("pids/" + svc + ".pid")).strip());
  }

  private Map<String, Long> pids() throws IOException {
    var pids = new LinkedHashMap<String, Long>();
    for (var svc : SERVICES) {
      pids.put(svc, pid(svc));
    }
    return pids;
  }

  private String upOutput() throws IOException {
    return StokeCommand.output(state, "up.out") + StokeCommand.output(state, "up.err");
  }
}
