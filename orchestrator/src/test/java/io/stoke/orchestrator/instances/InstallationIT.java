package io.stoke.orchestrator.instances;

import static io.stoke.orchestrator.ItSupport.python;
import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.stoke.common.contract.Instance;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.docker.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * An orchestrator beside another installation's containers on the same engine (a platform running
 * there) leaves them alone, and still removes its own orphans; real Docker engine, real
 * redis-server.
 */
class InstallationIT {

  private static final String FUNCTION = "owned-hello";
  private static final String OTHER = "other-" + ItSupport.INSTALLATION.id();

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static InstanceRegistry registry;
  static DockerClient docker;
  static ConfigurableApplicationContext orchestrator;
  static final List<String> made = new ArrayList<>();

  @BeforeAll
  static void connect() {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    redisServer = RedisServer.start();
    redis = RedisClient.create(java.net.URI.create(redisServer.url()));
    registry = new InstanceRegistry(redis);
  }

  @AfterAll
  static void stop() {
    if (orchestrator != null) {
      orchestrator.close();
    }
    ItSupport.removeContainers(docker, List.of(FUNCTION));
    made.forEach(id -> removeIfPresent(id));
    redis.close();
    redisServer.close();
  }

  @Test
  void anotherInstallationsContainersAreLeftAloneWhileOwnOrphansAreRemoved() throws Exception {
    // The other platform runs an instance of a function of the same name, of a digest this
    // orchestrator does not know: exactly what its reconcile removes as an orphan of its own.
    var foreignRunning = instanceContainer(OTHER, FUNCTION, "f0reign1");
    var ownOrphan = instanceContainer(ItSupport.INSTALLATION.id(), "owned-gone", "0rphan1");
    var definitions = dir.resolve("functions.yml");
    Files.writeString(
        definitions,
        "functions:\n" + python(FUNCTION, "hello", "1.0", "idleTimeout: 60s, startTimeout: 20s"));
    orchestrator = ItSupport.startOrchestrator(definitions, redisServer.url());
    awaitGone(ownOrphan, "this installation's orphan removed by the first reconcile");

    // The other platform's instance exits: its die event must not make this one remove it.
    ItSupport.demand(redis, FUNCTION);
    var own = awaitReady();
    var foreignDying = instanceContainer(OTHER, FUNCTION, "f0reign2");
    docker.killContainerCmd(foreignDying).exec();
    // Its die event is out before this installation's own kill, whose handling is awaited next.
    await("the other installation's instance exited")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !docker.inspectContainerCmd(foreignDying).exec().getState().getRunning());
    docker.killContainerCmd(own.containerId()).exec();
    awaitGone(own.containerId(), "the killed instance of this installation removed");
    var laterOrphan = instanceContainer(ItSupport.INSTALLATION.id(), "owned-gone", "0rphan2");
    awaitGone(laterOrphan, "an orphan made later removed by a periodic reconcile");

    assertThat(exists(foreignRunning))
        .as("the other installation's instance, still there")
        .isTrue();
    assertThat(docker.inspectContainerCmd(foreignRunning).exec().getState().getRunning())
        .as("the other installation's running instance")
        .isTrue();
    assertThat(docker.inspectContainerCmd(foreignDying).exec().getState().getRunning())
        .as("the other installation's exited instance, still there")
        .isFalse();
    assertThat(registry.instances(FUNCTION))
        .extracting(Instance::containerId)
        .doesNotContain(foreignRunning, foreignDying);
  }

  /** A running container labelled as an instance of {@code installation}. */
  private static String instanceContainer(String installation, String function, String instance) {
    var id =
        docker
            .createContainerCmd(ItSupport.base().python())
            .withCmd("python3", "-m", "http.server", "8080")
            .withLabels(
                Map.of(
                    Labels.MANAGED,
                    "true",
                    Labels.INSTALLATION,
                    installation,
                    Labels.FUNCTION,
                    function,
                    Labels.INSTANCE,
                    instance,
                    Labels.VERSION,
                    "0",
                    Labels.DIGEST,
                    "not-a-current-digest"))
            .exec()
            .getId();
    made.add(id);
    docker.startContainerCmd(id).exec();
    return id;
  }

  private static Instance awaitReady() {
    await("a READY instance of " + FUNCTION)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !ready(registry, FUNCTION).isEmpty());
    return ready(registry, FUNCTION).getFirst();
  }

  private static void awaitGone(String containerId, String what) {
    await(what)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !exists(containerId));
  }

  private static boolean exists(String containerId) {
    try {
      docker.inspectContainerCmd(containerId).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static void removeIfPresent(String containerId) {
    if (exists(containerId)) {
      docker.removeContainerCmd(containerId).withForce(true).exec();
    }
  }
}
