package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.InstanceState;
import io.stoke.common.registry.InstanceRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on real parts: gateway → demand → orchestrator → container → READY → released;
 * queueing → stats listener → scale signal → more instances; calm → drain → zero. No request may
 * fail on the way.
 */
class ScaleCycleIT {

  static final String DEFINITIONS =
      """
      functions:
        - name: hello
          runtime: python
          source: hello
          version: "it"
          scaling: {idleTimeout: 2s}
        - name: cold
          runtime: python
          source: hello
          version: "it"
          scaling: {idleTimeout: 60s}
        - name: sleep
          runtime: python
          source: sleep
          version: "it"
          timeout: 2m
          scaling:
            concurrency: 1
            maxInstances: 4
            queueSize: 500
            idleTimeout: 2s
            stableWindow: 3s
            panicWindow: 1s
      """;

  @TempDir static Path dir;
  static Platform platform;
  static final HttpClient client =
      HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  @BeforeAll
  static void start() throws Exception {
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    platform = Platform.start(definitions, "scale-cycle");
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(platform.gateway() + path))
            .timeout(Duration.ofMinutes(2))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void concurrentCallsToAColdFunctionAreHeldAndAllAnswered() throws Exception {
    var statuses = new ConcurrentHashMap<Integer, LongAdder>();
    var cold = new AtomicInteger();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 30; i++) {
        executor.execute(
            () -> {
              try {
                var response = get("/hello");
                statuses.computeIfAbsent(response.statusCode(), k -> new LongAdder()).increment();
                if (response.headers().firstValue("X-Stoke-Cold-Start").orElse("").equals("true")) {
                  cold.incrementAndGet();
                }
              } catch (Exception e) {
                statuses.computeIfAbsent(-1, k -> new LongAdder()).increment();
              }
            });
      }
    }

    assertThat(counts(statuses)).as(platform.tail("gateway")).isEqualTo(Map.of(200, 30L));
    assertThat(cold.get()).isPositive();
    assertThat(get("/hello").body()).contains("\"Hello\"");
  }

  @Test
  void oneColdRequestStartsExactlyOneContainer() throws Exception {
    var registry = new InstanceRegistry(platform.redis());
    long since = System.currentTimeMillis();

    assertThat(get("/cold").statusCode()).isEqualTo(200);

    // The held request was reported as pending; the autoscaler decides every 500 ms meanwhile.
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.instances("cold").size() == 1);
    var created =
        Docker.run(
            java.util.List.of(
                "docker",
                "events",
                "--since",
                String.format(java.util.Locale.ROOT, "%.3f", (since - 1000) / 1000.0),
                "--until",
                String.format(java.util.Locale.ROOT, "%.3f", System.currentTimeMillis() / 1000.0),
                "--filter",
                "label=io.stoke.function=cold",
                "--filter",
                "event=create",
                "--format",
                "{{.ID}}"),
            30);
    assertThat(created.lines().filter(l -> !l.isBlank()))
        .as("containers created for one cold request")
        .hasSize(1);
  }

  @Test
  void aStoppingGatewayFinishesTheCallsInFlightButTakesNoNewOne() throws Exception {
    var inFlight =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(platform.gateway() + "/sleep?ms=15000"))
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await("the call reached an instance")
        .atMost(Duration.ofMinutes(2))
        .until(() -> gatewayGauge("stoke_gateway_inflight", "sleep") >= 1);

    var gateway = platform.terminate("gateway");
    try {
      await("the stopping gateway refuses new connections")
          .atMost(Duration.ofSeconds(30))
          .until(() -> refusesConnections(platform.gateway()));
      assertThat(inFlight).as("the call still in flight while the gateway stops").isNotDone();
      var answer = inFlight.get(2, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("slept_ms");
      await("the gateway exits once its last call ended")
          .atMost(Duration.ofMinutes(1))
          .until(() -> !gateway.isAlive());
    } finally {
      // The other tests of this class share the platform: it gets its gateway back either way.
      gateway.destroyForcibly().waitFor();
      platform.relaunch("gateway");
    }
    assertThat(get("/hello").statusCode()).isEqualTo(200);
  }

  /** A gauge of the gateway's Prometheus page for one function; 0 when it is not there. */
  private static double gatewayGauge(String name, String function) throws Exception {
    var page =
        client
            .send(
                HttpRequest.newBuilder(URI.create(platform.gateway() + "/actuator/prometheus"))
                    .header("Authorization", "Bearer " + platform.metricsToken)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    var line =
        java.util.regex.Pattern.compile(
                "(?m)^" + name + "\\{function=\"" + function + "\"[^}]*} ([0-9.eE+-]+)$")
            .matcher(page);
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }

  private static boolean refusesConnections(URI gateway) {
    try (var socket = new java.net.Socket(gateway.getHost(), gateway.getPort())) {
      return false;
    } catch (java.io.IOException refused) {
      return true;
    }
  }

  @Test
  void aStepLoadScalesUpWithoutAFailedRequestAndDrainsBackToZero() throws Exception {
    var registry = new InstanceRegistry(platform.redis());
    var statuses = new ConcurrentHashMap<Integer, LongAdder>();
    var peak = new AtomicInteger();
    var sampling = new AtomicBoolean(true);
    var sampler =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (sampling.get()) {
                    int ready =
                        (int)
                            registry.instances("sleep").stream()
                                .filter(i -> i.state() == InstanceState.READY)
                                .count();
                    peak.accumulateAndGet(ready, Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
                  }
                });

    // Closed model, 300 ms calls on a function that serves one at a time: 1 → 4 → 1 clients.
    int[][] phases = {{1, 4}, {4, 15}, {1, 4}};
    for (int[] phase : phases) {
      runClients(phase[0], Duration.ofSeconds(phase[1]), statuses);
    }
    sampling.set(false);
    sampler.join();

    assertThat(counts(statuses)).as("every call answered 200").containsOnlyKeys(200);
    assertThat(peak.get()).as("ready instances at the peak").isGreaterThanOrEqualTo(2);
    await("sleep drained back to zero")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              assertThat(registry.instances("sleep")).isEmpty();
              assertThat(Docker.containers("sleep")).isEmpty();
            });
  }

  private static void runClients(int clients, Duration duration, Map<Integer, LongAdder> statuses)
      throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<java.util.concurrent.Future<?>>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            executor.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    int status;
                    try {
                      status = get("/sleep?ms=300").statusCode();
                    } catch (Exception e) {
                      status = -1;
                    }
                    statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
                  }
                  return null;
                }));
      }
      for (var future : futures) {
        future.get();
      }
    }
  }

  private static Map<Integer, Long> counts(Map<Integer, LongAdder> statuses) {
    var result = new TreeMap<Integer, Long>();
    statuses.forEach((k, v) -> result.put(k, v.sum()));
    return result;
  }
}
