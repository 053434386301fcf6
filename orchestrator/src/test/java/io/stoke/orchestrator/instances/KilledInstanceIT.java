package io.stoke.orchestrator.instances;

import static io.stoke.orchestrator.ItSupport.python;
import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.registry.EventSubscription;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * An instance whose container is killed with the engine ({@code docker kill}) leaves the registry
 * at once and is replaced, on a real Docker engine and a real redis-server. Prints the figures kill
 * → REMOVED and kill → replacement READY of each run; asserts no timing.
 */
class KilledInstanceIT {

  /** minInstances 0: only the kill handling itself starts a replacement, not the minimum. */
  private static final String FUNCTION = "killed-hello";

  private static final int RUNS = 3;

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static UnifiedJedis subscriber;
  static InstanceRegistry registry;
  static DockerClient docker;
  static ConfigurableApplicationContext orchestrator;
  static EventSubscription events;
  static final Map<String, InstanceEvent> removals = new ConcurrentHashMap<>();

  @BeforeAll
  static void startOrchestrator() throws Exception {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    redisServer = RedisServer.start();
    redis = RedisClient.create(java.net.URI.create(redisServer.url()));
    subscriber = RedisClient.create(java.net.URI.create(redisServer.url()));
    registry = new InstanceRegistry(redis);
    events =
        EventSubscription.start(
            subscriber,
            "killed-it-events",
            () -> {},
            event -> {
              if (event.type() == InstanceEvent.Type.REMOVED) {
                removals.put(event.instanceId(), event);
              }
            });
    var definitions = dir.resolve("functions.yml");
    Files.writeString(
        definitions,
        "functions:\n" + python(FUNCTION, "hello", "1.0", "idleTimeout: 60s, startTimeout: 20s"));
    orchestrator = ItSupport.startOrchestrator(definitions, redisServer.url());
  }

  @AfterAll
  static void stop() {
    if (orchestrator != null) {
      orchestrator.close();
    }
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    events.close();
    subscriber.close();
    redis.close();
    redisServer.close();
  }

  @Test
  void aKilledInstanceLeavesTheRegistryAtOnceAndAReplacementBecomesReady() {
    ItSupport.demand(redis, FUNCTION);
    var current = awaitReadyOtherThan("");
    var killed = new ArrayList<String>();
    var figures = new ArrayList<String>();
    for (int run = 1; run <= RUNS; run++) {
      var victim = current;
      long killedAt = System.currentTimeMillis();
      docker.killContainerCmd(victim.containerId()).exec();
      killed.add(victim.containerId());

      var removal =
          await("REMOVED of the killed instance " + victim.id())
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(5))
              .until(() -> removals.get(victim.id()), Objects::nonNull);
      var replacement = awaitReadyOtherThan(victim.id());

      assertThat(registry.instances(FUNCTION)).extracting(Instance::id).doesNotContain(victim.id());
      assertThat(ItSupport.get(replacement, "/").statusCode()).isEqualTo(200);
      // The replacement's start (before its docker create) splits the orchestrator's reaction
      // from the engine's own create, start and the runtime's boot.
      figures.add(
          "run %d: kill -> REMOVED %d ms, kill -> replacement started %d ms, kill -> READY %d ms"
              .formatted(
                  run,
                  removal.at() - killedAt,
                  replacement.startedAt() - killedAt,
                  replacement.readyAt() - killedAt));
      current = replacement;
    }
    await("the killed containers removed")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(ItSupport.containers(docker, FUNCTION))
                    .doesNotContainAnyElementsOf(killed));
    assertThat(registry.instances(FUNCTION)).hasSize(1);
    figures.forEach(line -> System.out.println("[KilledInstanceIT] " + line));
  }

  private static Instance awaitReadyOtherThan(String instanceId) {
    return await("a READY instance other than '" + instanceId + "'")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () ->
                ready(registry, FUNCTION).stream()
                    .filter(i -> !i.id().equals(instanceId))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }
}
