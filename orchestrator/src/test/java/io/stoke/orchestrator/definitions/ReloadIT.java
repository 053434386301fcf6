package io.stoke.orchestrator.definitions;

import static io.stoke.orchestrator.ItSupport.python;
import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

class ReloadIT {

  private static final List<String> FUNCTIONS = List.of("reload-a", "reload-b");

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static DockerClient docker;
  static ConfigurableApplicationContext orchestrator;

  @BeforeAll
  static void connect() {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, FUNCTIONS);
    redisServer = RedisServer.start();
    redis = RedisClient.create(URI.create(redisServer.url()));
  }

  @AfterAll
  static void stop() {
    if (orchestrator != null) {
      orchestrator.close();
    }
    ItSupport.removeContainers(docker, FUNCTIONS);
    for (var image : List.of("stoke-fn/reload-a:1", "stoke-fn/reload-a:2", "stoke-fn/reload-b:1")) {
      try {
        docker.removeImageCmd(image).withForce(true).exec();
      } catch (RuntimeException e) {
        // Not built.
      }
    }
    redis.close();
    redisServer.close();
  }

  @Test
  void reloadingTheFileAddsRemovesAndUpgradesFunctionsAndIgnoresAnInvalidFile() throws Exception {
    var registry = new InstanceRegistry(redis);
    var catalog = new FunctionCatalog(redis);
    var file = dir.resolve("functions.yml");
    Files.writeString(file, "functions:\n" + python("reload-a", "hello", "1", "minInstances: 1"));
    orchestrator = ItSupport.startOrchestrator(file, redisServer.url());
    await().atMost(Duration.ofSeconds(30)).until(() -> ready(registry, "reload-a").size() == 1);
    var v1 = ready(registry, "reload-a").getFirst();

    // Upgrade reload-a and add reload-b: a v2 instance is ready before v1 leaves.
    var gaps = new AtomicInteger();
    var watching = new java.util.concurrent.atomic.AtomicBoolean(true);
    var watcher =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (watching.get()) {
                    if (ready(registry, "reload-a").isEmpty()) {
                      gaps.incrementAndGet();
                    }
                    Thread.onSpinWait();
                  }
                });
    Files.writeString(
        file,
        "functions:\n"
            + python("reload-a", "hello", "2", "minInstances: 1")
            + python("reload-b", "hello", "1", "idleTimeout: 30s"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var instances = registry.instances("reload-a");
              return instances.size() == 1
                  && instances.getFirst().isReady()
                  && "2".equals(instances.getFirst().version());
            });
    watching.set(false);
    watcher.join();
    assertThat(gaps.get()).as("moments without a ready reload-a").isZero();
    assertThat(catalog.read().names()).containsExactlyInAnyOrder("reload-a", "reload-b");
    assertThat(catalog.read().find("reload-a").orElseThrow().version()).isEqualTo("2");
    assertThat(ItSupport.containers(docker, "reload-a")).doesNotContain(v1.containerId());
    assertThat(ItSupport.get(ready(registry, "reload-a").getFirst(), "/").statusCode())
        .isEqualTo(200);

    // Remove reload-a: it leaves the catalog and drains away.
    Files.writeString(file, "functions:\n" + python("reload-b", "hello", "1", "idleTimeout: 30s"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                catalog.read().names().equals(List.of("reload-b"))
                    && registry.instances("reload-a").isEmpty()
                    && ItSupport.containers(docker, "reload-a").isEmpty());

    // An invalid file changes nothing.
    Files.writeString(file, "functions:\n  - name: Bad.Name\n    runtime: cobol\n");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> catalog.read().names().equals(List.of("reload-b")));
    assertThat(orchestrator.isRunning()).isTrue();
  }
}
