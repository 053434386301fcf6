package io.stoke.system;

import io.stoke.common.contract.InstanceState;
import io.stoke.common.registry.InstanceRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Platform-level figures, each against a baseline measured in the same run: scale-up reaction
 * (queueing visible → a new instance serving) minus a bare container start, requests lost across a
 * full scale-up → drain → zero cycle, the services' idle memory, and a function container's memory.
 * Prints figures; asserts nothing about time.
 *
 * <p>Run: {@code ./stoke bench} (or the java command in scripts/bench.sh).
 */
public final class PlatformBenchmark {

  static final String DEFINITIONS =
      """
      functions:
        - name: hello
          runtime: python
          source: hello
          version: "bench"
          scaling: {idleTimeout: 3s}
        - name: sleep
          runtime: python
          source: sleep
          version: "bench"
          timeout: 2m
          scaling:
            minInstances: 1
            concurrency: 1
            maxInstances: 6
            queueSize: 1000
            idleTimeout: 3s
            stableWindow: 3s
            panicWindow: 1s
      """;

  static final HttpClient client =
      HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  private PlatformBenchmark() {}

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    var dir = Files.createTempDirectory("stoke-bench");
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    try (var platform = Platform.start(definitions, "benchmark")) {
      var registry = new InstanceRegistry(platform.redis());
      awaitReady(registry, "sleep", 1, Duration.ofMinutes(3));
      idleMemory(platform);
      instanceMemory(platform);
      coldStartThroughTheGateway(platform, registry, trials);
      scaleUpReaction(platform, registry, trials);
      lostRequests(platform, registry);
    }
    System.exit(0);
  }

  static void idleMemory(Platform platform) throws Exception {
    System.out.println("## Idle memory of the services (RSS, platform idle, after start-up)");
    for (var service : List.of("gateway", "orchestrator", "stats-listener")) {
      System.out.printf(Locale.ROOT, "  %-16s %6.1f MiB%n", service, platform.rssMiB(service));
    }
  }

  static void instanceMemory(Platform platform) {
    var ids = Docker.containers("sleep");
    var stats =
        Docker.run(
                List.of(
                    "docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", ids.getFirst()),
                60)
            .strip();
    System.out.println("## Memory of one idle function instance (python runtime, docker stats)");
    System.out.println("  sleep instance: " + stats);
  }

  static void coldStartThroughTheGateway(Platform platform, InstanceRegistry registry, int trials)
      throws Exception {
    var cold = new ArrayList<Double>();
    var bare = new ArrayList<Double>();
    String image = null;
    for (int t = 0; t < trials; t++) {
      awaitCount(registry, "hello", 0, Duration.ofMinutes(2));
      awaitNoContainers("hello", Duration.ofMinutes(1));
      long start = System.nanoTime();
      int status = call(platform, "/hello");
      cold.add((System.nanoTime() - start) / 1e6);
      if (status != 200) {
        throw new IllegalStateException("cold call answered " + status);
      }
      if (image == null) {
        image =
            Docker.run(
                    List.of(
                        "docker",
                        "inspect",
                        "--format",
                        "{{.Config.Image}}",
                        Docker.containers("hello").getFirst()),
                    30)
                .strip();
      }
      bare.add(BareDocker.runToFirst200(image) / 1e6);
    }
    System.out.println("## Cold start through the gateway: GET /hello with zero instances → 200");
    System.out.printf(
        Locale.ROOT,
        "  stoke      p50 %7.1f ms  p90 %7.1f ms  all %s%n",
        percentile(cold, 50),
        percentile(cold, 90),
        fmt(cold));
    System.out.printf(
        Locale.ROOT,
        "  bare docker run → first 200  p50 %7.1f ms  p90 %7.1f ms  all %s%n",
        percentile(bare, 50),
        percentile(bare, 90),
        fmt(bare));
    System.out.printf(
        Locale.ROOT,
        "  ratio p50 %.2f, p90 %.2f%n",
        percentile(cold, 50) / percentile(bare, 50),
        percentile(cold, 90) / percentile(bare, 90));
  }

  static void awaitNoContainers(String function, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!Docker.containers(function).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(function + " containers did not go away");
      }
      LockSupport.parkNanos(100_000_000);
    }
  }

  static void scaleUpReaction(Platform platform, InstanceRegistry registry, int trials)
      throws Exception {
    var image =
        Docker.run(
                List.of(
                    "docker",
                    "inspect",
                    "--format",
                    "{{.Config.Image}}",
                    Docker.containers("sleep").getFirst()),
                30)
            .strip();
    var reactions = new ArrayList<Double>();
    var bare = new ArrayList<Double>();
    for (int t = 0; t < trials; t++) {
      bare.add(BareDocker.runToFirst200(image) / 1e6);
      awaitReady(registry, "sleep", 1, Duration.ofMinutes(2));
      awaitCount(registry, "sleep", 1, Duration.ofMinutes(2));
      var stop = new AtomicBoolean();
      long start = System.nanoTime();
      try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < 3; c++) {
          executor.execute(
              () -> {
                while (!stop.get()) {
                  call(platform, "/sleep?ms=200");
                }
              });
        }
        awaitReady(registry, "sleep", 2, Duration.ofMinutes(1));
        reactions.add((System.nanoTime() - start) / 1e6);
        stop.set(true);
      }
    }
    System.out.println(
        "## Scale-up reaction: 3 clients on 1 ready instance of concurrency 1 → a 2nd instance READY");
    System.out.printf(
        Locale.ROOT,
        "  reaction   p50 %7.1f ms   all %s%n",
        percentile(reactions, 50),
        fmt(reactions));
    System.out.printf(
        Locale.ROOT,
        "  bare docker run → first 200   p50 %7.1f ms   all %s%n",
        percentile(bare, 50),
        fmt(bare));
    System.out.printf(
        Locale.ROOT,
        "  reaction − bare start: %.1f ms (goal ≤ 300 ms)%n",
        percentile(reactions, 50) - percentile(bare, 50));
  }

  static void lostRequests(Platform platform, InstanceRegistry registry) throws Exception {
    var sent = new AtomicLong();
    var failed = new AtomicLong();
    var peak = new AtomicLong();
    int[][] phases = {{1, 3}, {6, 12}, {2, 4}, {0, 0}};
    for (int[] phase : phases) {
      var stop = new AtomicBoolean();
      try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < phase[0]; c++) {
          executor.execute(
              () -> {
                while (!stop.get()) {
                  sent.incrementAndGet();
                  if (call(platform, "/sleep?ms=150") != 200) {
                    failed.incrementAndGet();
                  }
                }
              });
        }
        long end = System.nanoTime() + Duration.ofSeconds(phase[1]).toNanos();
        while (System.nanoTime() < end) {
          peak.accumulateAndGet(ready(registry, "sleep"), Math::max);
          LockSupport.parkNanos(100_000_000);
        }
        stop.set(true);
      }
    }
    awaitCount(registry, "sleep", 1, Duration.ofMinutes(2));
    System.out.println("## Requests lost across scale-up → drain → back to the minimum");
    System.out.printf(
        Locale.ROOT,
        "  sent %d, failed %d, peak ready instances %d, back to %d%n",
        sent.get(),
        failed.get(),
        peak.get(),
        registry.instances("sleep").size());
  }

  static int call(Platform platform, String path) {
    try {
      var request =
          HttpRequest.newBuilder(URI.create(platform.gateway() + path))
              .timeout(Duration.ofMinutes(2))
              .build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  static long ready(InstanceRegistry registry, String function) {
    return registry.instances(function).stream()
        .filter(i -> i.state() == InstanceState.READY)
        .count();
  }

  static void awaitReady(InstanceRegistry registry, String function, int count, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (ready(registry, function) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(function + " did not reach " + count + " ready instances");
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  static void awaitCount(InstanceRegistry registry, String function, int count, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (registry.instances(function).size() != count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(function + " did not come back to " + count + " instances");
      }
      LockSupport.parkNanos(50_000_000);
    }
  }

  static double percentile(List<Double> values, int p) {
    var sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  static String fmt(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList().toString();
  }
}
