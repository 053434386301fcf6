package io.stoke.orchestrator.instances;

import static io.stoke.orchestrator.ItSupport.containers;
import static io.stoke.orchestrator.ItSupport.demand;
import static io.stoke.orchestrator.ItSupport.python;
import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.Orchestrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

class ColdStartIT {

  private static final List<String> FUNCTIONS =
      List.of("hello", "hello-burst", "hello-idle", "hello-min", "sleep", "plain");

  /**
   * A prebuilt image that is not a Stoke runtime: its readiness is {@code /healthz} (204), and it
   * answers {@code /_/ready} with 404 like any path it does not know.
   */
  private static final String PLAIN_IMAGE = "stoke-test/plain-http:it";

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static InstanceRegistry registry;
  static DockerClient docker;
  static ConfigurableApplicationContext orchestrator;

  @BeforeAll
  static void startOrchestrator() throws Exception {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, FUNCTIONS);
    redisServer = RedisServer.start();
    redis = RedisClient.create(java.net.URI.create(redisServer.url()));
    registry = new InstanceRegistry(redis);
    buildPlainImage();
    var definitions = dir.resolve("functions.yml");
    Files.writeString(
        definitions,
        "functions:\n"
            + python("hello", "hello", "1.0", "idleTimeout: 60s, startTimeout: 20s")
            + python("hello-burst", "hello", "1.0", "idleTimeout: 60s, startTimeout: 20s")
            + python("hello-idle", "hello", "1.0", "idleTimeout: 1s, startTimeout: 20s")
            + python("hello-min", "hello", "1.0", "minInstances: 1, idleTimeout: 1s")
            + python("sleep", "sleep", "1.0", "concurrency: 1, idleTimeout: 60s")
            + """
              - name: plain
                runtime: image
                image: %s
                readinessPath: /healthz
                scaling: {idleTimeout: 60s, startTimeout: 20s}
            """
                .formatted(PLAIN_IMAGE));
    orchestrator = ItSupport.startOrchestrator(definitions, redisServer.url());
  }

  private static void buildPlainImage() throws Exception {
    var context = dir.resolve("plain-image");
    Files.createDirectories(context);
    Files.writeString(
        context.resolve("server.py"),
        """
        import os
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = {"/healthz": (204, b""), "/": (200, b"plain")}.get(
                    self.path, (404, b"no such path"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
        """);
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM "
            + ItSupport.base().python()
            + "\nCOPY server.py /server.py\nENTRYPOINT [\"python3\", \"/server.py\"]\n");
    var build =
        new ProcessBuilder("docker", "build", "-q", "-t", PLAIN_IMAGE, context.toString())
            .redirectErrorStream(true)
            .start();
    var output = new String(build.getInputStream().readAllBytes());
    assertThat(build.waitFor()).as(output).isZero();
  }

  @AfterAll
  static void stop() {
    if (orchestrator != null) {
      orchestrator.close();
    }
    ItSupport.removeContainers(docker, FUNCTIONS);
    redis.close();
    redisServer.close();
  }

  private static Instance awaitOneReady(String function) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !ready(registry, function).isEmpty());
    return ready(registry, function).getFirst();
  }

  @Test
  void demandStartsAnInstanceThatAnswersThroughItsPublishedLoopbackPort() {
    demand(redis, "hello");
    var instance = awaitOneReady("hello");
    assertThat(instance.host()).isEqualTo("127.0.0.1");
    var response = ItSupport.get(instance, "/");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"Hello\"").contains("World");
  }

  @Test
  void aPrebuiltImageIsReadyWhenItsOwnReadinessPathAnswers() {
    demand(redis, "plain");
    var instance = awaitOneReady("plain");

    var response = ItSupport.get(instance, "/");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("plain");
    assertThat(ItSupport.get(instance, "/_/ready").statusCode()).isEqualTo(404);
  }

  @Test
  void twentyConcurrentDemandsStartOneContainer() throws Exception {
    try (var pool = Executors.newFixedThreadPool(20)) {
      var sends =
          java.util.stream.IntStream.range(0, 20)
              .mapToObj(n -> CompletableFuture.runAsync(() -> demand(redis, "hello-burst"), pool))
              .toArray(CompletableFuture[]::new);
      CompletableFuture.allOf(sends).get();
    }
    awaitOneReady("hello-burst");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> containers(docker, "hello-burst").size() == 1);
    assertThat(registry.instances("hello-burst")).hasSize(1);
  }

  @Test
  void anIdleInstanceIsRemovedAfterItsIdleTimeout() {
    demand(redis, "hello-idle");
    var instance = awaitOneReady("hello-idle");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                registry.instances("hello-idle").isEmpty()
                    && containers(docker, "hello-idle").isEmpty());
    assertThat(redis.hexists(RedisKeys.activity("hello-idle"), instance.id())).isFalse();
  }

  @Test
  void aSlowRequestInFlightFinishesWhileItsInstanceDrains() throws Exception {
    demand(redis, "sleep");
    var instance = awaitOneReady("sleep");
    // Play the gateway: count the request in flight while it runs.
    var activity = RedisKeys.activity("sleep");
    redis.hset(activity, RedisKeys.inflightField(instance.id()), "1");
    var response = CompletableFuture.supplyAsync(() -> ItSupport.get(instance, "/?ms=2500"));
    orchestrator.getBean(Orchestrator.class).instances().scaleTo("sleep", 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                registry.instances("sleep").stream()
                    .anyMatch(i -> i.state() == InstanceState.DRAINING));
    var result = response.get();
    assertThat(result.statusCode()).isEqualTo(200);
    assertThat(result.body()).contains("slept_ms");
    redis.hset(activity, RedisKeys.inflightField(instance.id()), "0");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> registry.instances("sleep").isEmpty() && containers(docker, "sleep").isEmpty());
  }

  @Test
  void aKilledInstanceLeavesTheRegistryAndIsReplacedToKeepTheMinimum() {
    var instance = awaitOneReady("hello-min");
    docker.killContainerCmd(instance.containerId()).exec();
    // KilledInstanceIT measures how fast; this machine is shared, so no deadline asserts speed.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                registry.instances("hello-min").stream()
                    .noneMatch(i -> i.id().equals(instance.id())));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ready(registry, "hello-min").stream().anyMatch(i -> !i.id().equals(instance.id())));
    var replacement = ready(registry, "hello-min").getFirst();
    assertThat(ItSupport.get(replacement, "/").statusCode()).isEqualTo(200);
  }

  @Test
  void theMinimumIsKeptEvenWhenTheInstanceIsIdle() {
    var instance = awaitOneReady("hello-min");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> ready(registry, "hello-min").size() == 1);
    assertThat(containers(docker, "hello-min")).contains(instance.containerId());
  }

  @Test
  void instancesRunHardenedAsDockerInspectShows() {
    var instance = awaitOneReady("hello-min");
    var inspect = docker.inspectContainerCmd(instance.containerId()).exec();
    var host = inspect.getHostConfig();
    assertThat(inspect.getConfig().getUser()).isEqualTo("10001:10001");
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getReadonlyRootfs()).isTrue();
    assertThat(host.getTmpFs()).containsKey("/tmp");
    assertThat(host.getMemory()).isPositive().isEqualTo(host.getMemorySwap());
    assertThat(host.getPidsLimit()).isEqualTo(256L);
    assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
    assertThat(
            host.getRestartPolicy() == null
                || host.getRestartPolicy().getName() == null
                || host.getRestartPolicy().getName().isEmpty()
                || host.getRestartPolicy().getName().equals("no"))
        .isTrue();
    var bindings = inspect.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(8080));
    assertThat(bindings).isNotEmpty();
    assertThat(bindings[0].getHostIp()).isEqualTo("127.0.0.1");
    assertThat(inspect.getConfig().getEnv())
        .noneMatch(e -> e.toLowerCase().contains("redis"))
        .anyMatch(e -> e.equals("STOKE_FUNCTION=hello-min"));
    assertThat(Map.of("labels", inspect.getConfig().getLabels()).get("labels"))
        .containsEntry("io.stoke.managed", "true");
  }
}
