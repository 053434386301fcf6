package io.stoke.orchestrator;

import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Runs the packaged orchestrator as a child process and kills it with SIGKILL. */
class RestartIT {

  private static final String FUNCTION = "restart-hello";

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static DockerClient docker;

  @BeforeAll
  static void connect() {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    redisServer = RedisServer.start();
    redis = RedisClient.create(URI.create(redisServer.url()));
  }

  @AfterAll
  static void stop() {
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    redis.close();
    redisServer.close();
  }

  private static Process launch(Path definitions) throws Exception {
    var jar = Path.of("target", "stoke-orchestrator.jar").toAbsolutePath();
    assertThat(jar).exists();
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(ItSupport.arguments(definitions, redisServer.url()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(new File("target/restart-it-orchestrator.log")))
        .start();
  }

  @Test
  void aKilledOrchestratorLeavesInstancesServingAndAdoptsThemWithoutOrphansOnRestart()
      throws Exception {
    var registry = new InstanceRegistry(redis);
    var definitions = dir.resolve("functions.yml");
    Files.writeString(
        definitions,
        // Idle for longer than a slow restart takes here, so the idle rule does not drain it.
        "functions:\n" + ItSupport.python(FUNCTION, "hello", "1.0", "idleTimeout: 10m"));
    var first = launch(definitions);
    try {
      // Generous: on a shared 2-core machine a packaged orchestrator has taken 45 s to boot.
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                ItSupport.demand(redis, FUNCTION);
                return !ready(registry, FUNCTION).isEmpty();
              });
    } finally {
      first.destroyForcibly().waitFor();
    }
    var instance = ready(registry, FUNCTION).getFirst();
    assertThat(ItSupport.get(instance, "/").statusCode()).isEqualTo(200);

    var second = launch(definitions);
    try {
      // A restarted orchestrator reconciles; the instance stays and no other appears.
      await().atMost(Duration.ofMinutes(3)).until(() -> second.isAlive() && logMentionsStarted());
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  ItSupport.containers(docker, FUNCTION).equals(List.of(instance.containerId()))
                      && ready(registry, FUNCTION).size() == 1);
      assertThat(ItSupport.get(ready(registry, FUNCTION).getFirst(), "/").statusCode())
          .isEqualTo(200);
      assertThat(ready(registry, FUNCTION).getFirst().id()).isEqualTo(instance.id());
    } finally {
      second.destroy();
      second.waitFor();
    }
  }

  private static boolean logMentionsStarted() throws Exception {
    var log = Files.readString(Path.of("target/restart-it-orchestrator.log"));
    return log.split("Orchestrator started", -1).length > 2;
  }
}
