package io.stoke.orchestrator.instances;

import static io.stoke.orchestrator.ItSupport.containers;
import static io.stoke.orchestrator.ItSupport.demand;
import static io.stoke.orchestrator.ItSupport.python;
import static io.stoke.orchestrator.ItSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.EventSubscription;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.Orchestrator;
import io.stoke.orchestrator.docker.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

/** Lifecycle faults of issue 15, on a real orchestrator, Docker engine and redis-server. */
class LifecycleIT {

  private static final List<String> COLD = List.of("cold-a", "cold-b", "cold-c");
  private static final List<String> FUNCTIONS =
      List.of("slow-start", "drain-unknown", "hang", "cold-a", "cold-b", "cold-c");

  @TempDir static Path dir;
  static RedisServer redisServer;
  static UnifiedJedis redis;
  static UnifiedJedis subscriber;
  static InstanceRegistry registry;
  static DockerClient docker;
  static ConfigurableApplicationContext orchestrator;
  static EventSubscription subscription;
  static final List<InstanceEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startOrchestrator() throws Exception {
    docker = ItSupport.docker();
    ItSupport.removeContainers(docker, FUNCTIONS);
    redisServer = RedisServer.start();
    redis = RedisClient.create(URI.create(redisServer.url()));
    subscriber = RedisClient.create(URI.create(redisServer.url()));
    registry = new InstanceRegistry(redis);
    subscription = EventSubscription.start(subscriber, "lifecycle-it", () -> {}, events::add);
    var functions =
        ItSupport.functionsWith(dir.resolve("functions"), "hang", "slow-start", "sleep", "hello");
    var definitions = dir.resolve("functions.yml");
    Files.writeString(
        definitions,
        "functions:\n"
            + """
              - name: slow-start
                runtime: python
                source: slow-start
                handler: handler.py
                version: "1.0"
                timeout: 10m
                scaling: {idleTimeout: 60s, startTimeout: 60s}
            """
            + python("drain-unknown", "sleep", "1.0", "idleTimeout: 60s")
            + python("hang", "hang", "1.0", "idleTimeout: 60s")
            + python("cold-a", "hello", "1.0", "idleTimeout: 60s")
            + python("cold-b", "hello", "1.0", "idleTimeout: 60s")
            + python("cold-c", "hello", "1.0", "idleTimeout: 60s"));
    orchestrator =
        new org.springframework.boot.builder.SpringApplicationBuilder(
                io.stoke.orchestrator.OrchestratorApplication.class)
            .run(
                ItSupport.arguments(
                        definitions,
                        functions,
                        redisServer.url(),
                        "--stoke.liveness.interval=1s",
                        "--stoke.liveness.timeout=1s",
                        "--stoke.liveness.failures=3")
                    .toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    if (orchestrator != null) {
      orchestrator.close();
    }
    ItSupport.removeContainers(docker, FUNCTIONS);
    if (subscription != null) {
      subscription.close();
    }
    subscriber.close();
    redis.close();
    redisServer.close();
  }

  private static InstanceManager instances() {
    return orchestrator.getBean(Orchestrator.class).instances();
  }

  private static Instance awaitOneReady(String function) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !ready(registry, function).isEmpty());
    return ready(registry, function).getFirst();
  }

  /** Docker's actions on a container between two instants (epoch ms), oldest first. */
  private static List<String> dockerActions(String filter, long sinceMs, long untilMs)
      throws Exception {
    var process =
        new ProcessBuilder(
                "docker",
                "events",
                "--since",
                String.format(java.util.Locale.ROOT, "%.3f", sinceMs / 1000.0),
                "--until",
                String.format(java.util.Locale.ROOT, "%.3f", untilMs / 1000.0),
                "--filter",
                filter,
                "--format",
                "{{.Action}}")
            .redirectErrorStream(true)
            .start();
    var output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void aStartingInstanceThatIsScaledAwayIsRemovedAtOnceNotAfterTheFunctionsTimeout() {
    demand(redis, "slow-start");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                registry.instances("slow-start").stream()
                    .anyMatch(i -> i.state() == InstanceState.STARTING));

    // Its runtime is still importing the handler: a SIGTERM now would be ignored for 10 min.
    instances().scaleTo("slow-start", 0);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                registry.instances("slow-start").isEmpty()
                    && containers(docker, "slow-start").isEmpty());
    assertThat(events)
        .noneMatch(e -> e.function().equals("slow-start") && e.type() == InstanceEvent.Type.FAILED);
  }

  @Test
  void aDrainWaitsWhileTheInFlightCountIsUnknownAndCutsNoRequest() throws Exception {
    demand(redis, "drain-unknown");
    var instance = awaitOneReady("drain-unknown");
    var activity = RedisKeys.activity("drain-unknown");
    // Play the gateway: a 3 s request starts; then the activity is lost, as a Redis restart
    // without persistence loses it.
    redis.hset(activity, RedisKeys.inflightField(instance.id()), "1");
    var response = CompletableFuture.supplyAsync(() -> ItSupport.get(instance, "/?ms=3000"));
    redis.del(activity);
    long drainAt = System.currentTimeMillis();
    instances().scaleTo("drain-unknown", 0);

    assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    long answeredAt = System.currentTimeMillis();
    assertThat(dockerActions("container=" + instance.containerId(), drainAt - 1000, answeredAt))
        .as("Docker actions on the container while its request ran")
        .doesNotContain("kill", "stop", "die");
    assertThat(registry.instances("drain-unknown"))
        .singleElement()
        .extracting(Instance::state)
        .isEqualTo(InstanceState.DRAINING);

    // The gateway reports the request ended: the drain completes.
    redis.hset(activity, RedisKeys.inflightField(instance.id()), "0");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                registry.instances("drain-unknown").isEmpty()
                    && containers(docker, "drain-unknown").isEmpty());
  }

  @Test
  void aHungInstanceIsTakenOutOfRotationAndReplaced() throws Exception {
    demand(redis, "hang");
    var hung = awaitOneReady("hang");
    var hanging =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(URI.create("http://" + hung.address() + "/hang"))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                ready(registry, "hang").stream().anyMatch(i -> !i.id().equals(hung.id()))
                    && registry.instances("hang").stream()
                        .noneMatch(i -> i.id().equals(hung.id())));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !containers(docker, "hang").contains(hung.containerId()));
    var types =
        events.stream()
            .filter(e -> e.instanceId().equals(hung.id()))
            .map(InstanceEvent::type)
            .toList();
    assertThat(types).containsSubsequence(InstanceEvent.Type.DRAINING, InstanceEvent.Type.REMOVED);
    var replacement = ready(registry, "hang").getFirst();
    assertThat(ItSupport.get(replacement, "/").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).until(hanging::isDone);
    assertThat(hanging).isCompletedExceptionally();
  }

  /**
   * The stats listener's report of one function, in its worst phase: a window closes just before
   * the instance is ready (the held request still counted as pending), and the next one a whole
   * window (1 s) later. Called every 50 ms.
   */
  private static void reportLoad(String function, Map<String, Long> readySeen) {
    long now = System.currentTimeMillis();
    boolean isReady = !ready(registry, function).isEmpty();
    if (isReady) {
      long seen = readySeen.computeIfAbsent(function, f -> now);
      if (now - seen < 1_000) {
        return;
      }
    }
    redis.hset(
        RedisKeys.load(function),
        Map.of(
            "pending", isReady ? "0" : "1",
            "inflight", "0",
            "rps", "0",
            "overflow", "0",
            "at", Long.toString(now)));
  }

  @Test
  void oneColdRequestStartsExactlyOneContainer() throws Exception {
    long since = System.currentTimeMillis();
    // Play the gateway and the stats listener for one held request per function: a scale signal
    // on the first queueing datagram, then stoke:load:{fn} with the latest gauges (pending 1
    // while no instance is ready, nothing after).
    for (var function : COLD) {
      demand(redis, function);
      redis.xadd(
          RedisKeys.SCALE_STREAM,
          StreamEntryID.NEW_ENTRY,
          Map.of("function", function, "pending", "1", "inflight", "0", "at", "" + since));
    }
    var statsListener = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    var readySeen = new java.util.concurrent.ConcurrentHashMap<String, Long>();
    statsListener.scheduleAtFixedRate(
        () -> COLD.forEach(f -> reportLoad(f, readySeen)), 0, 50, TimeUnit.MILLISECONDS);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> COLD.stream().allMatch(f -> !ready(registry, f).isEmpty()));
      // The window written just before readiness still says pending 1 for a second, and the
      // autoscaler decides every 500 ms meanwhile.
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> COLD.stream().allMatch(f -> registry.instances(f).size() == 1));
    } finally {
      statsListener.shutdownNow();
    }

    for (var function : COLD) {
      assertThat(
              dockerActions(
                  "label=" + Labels.FUNCTION + "=" + function,
                  since - 1000,
                  System.currentTimeMillis()))
          .as("Docker actions on containers of %s", function)
          .filteredOn(a -> a.equals("create"))
          .hasSize(1);
      assertThat(registry.instances(function)).hasSize(1);
    }
  }
}
