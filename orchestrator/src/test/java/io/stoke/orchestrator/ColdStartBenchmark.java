package io.stoke.orchestrator;

import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.definitions.FunctionSet;
import io.stoke.orchestrator.docker.ContainerSettings;
import io.stoke.orchestrator.docker.DockerContainers;
import io.stoke.orchestrator.image.ImageBuilder;
import io.stoke.orchestrator.instances.ColdStart;
import io.stoke.orchestrator.instances.InstanceManager;
import io.stoke.orchestrator.instances.ReadinessProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.RedisClient;

/**
 * Compares a bare {@code docker run} of the hello image (to its first HTTP 200 on a published
 * loopback port) with the orchestrator's cold-start path (demand → READY → first 200). Prints
 * p50/p90 and the ratio; asserts nothing. Run from the repository root:
 *
 * <pre>
 * ./mvnw -q -pl orchestrator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp orchestrator/target/test-classes:orchestrator/target/classes:$(cat orchestrator/target/cp.txt) \
 *     io.stoke.orchestrator.ColdStartBenchmark [trials]
 * </pre>
 */
public final class ColdStartBenchmark {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    var docker = ItSupport.docker();
    var def =
        new DefinitionLoader(ItSupport.FUNCTIONS)
            .load(ItSupport.FUNCTIONS.resolveSibling("global-function-definition.yml"))
            .find("hello")
            .orElseThrow();
    System.out.println(
        "image: " + new ImageBuilder(docker, ItSupport.FUNCTIONS, ItSupport.base()).prepare(def));
    var probe = new ReadinessProbe(Clock.systemUTC());
    try (var redisServer = RedisServer.start();
        var redis = RedisClient.create(URI.create(redisServer.url()))) {
      var functions = new FunctionSet();
      functions.replace(Map.of(def.name(), def), Map.of());
      var registry = new InstanceRegistry(redis);
      var containers = new DockerContainers(docker, ItSupport.INSTALLATION);
      try (var manager =
          new InstanceManager(
              containers,
              registry,
              redis,
              probe,
              functions,
              new ContainerSettings("127.0.0.1", "", ItSupport.INSTALLATION),
              Clock.systemUTC())) {
        var bareReady = new ArrayList<Double>();
        var orchestratedReady = new ArrayList<Double>();
        var orchestrated200 = new ArrayList<Double>();
        for (int n = 0; n < trials + 1; n++) {
          double bare = bareDockerRun(def, probe);
          double[] orchestrated = orchestrated(def, manager, containers, registry);
          if (n == 0) {
            continue; // warm-up
          }
          bareReady.add(bare);
          orchestratedReady.add(orchestrated[0]);
          orchestrated200.add(orchestrated[1]);
          System.out.printf(
              "trial %2d: docker run -> 200 %6.1f ms | demand -> READY %6.1f ms, -> 200 %6.1f ms%n",
              n, bare, orchestrated[0], orchestrated[1]);
        }
        report("bare docker run -> first 200", bareReady);
        report("orchestrator demand -> READY", orchestratedReady);
        report("orchestrator demand -> first 200", orchestrated200);
        System.out.printf(
            "ratio (orchestrator -> 200) / (docker run -> 200): p50 %.2f, p90 %.2f%n",
            pct(orchestrated200, 50) / pct(bareReady, 50),
            pct(orchestrated200, 90) / pct(bareReady, 90));
      }
    }
    System.exit(0);
  }

  /** {@code docker run -d -p 127.0.0.1:<port>:8080 image} → first 200, in ms. */
  private static double bareDockerRun(FunctionDefinition def, ReadinessProbe probe)
      throws Exception {
    int port = RedisServer.freePort();
    long start = System.nanoTime();
    var run =
        new ProcessBuilder(
                "docker", "run", "-d", "--rm", "-p", "127.0.0.1:" + port + ":8080", def.image())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    // As a script would: `docker run -d` returns once the container started, then poll. Polling
    // the published port while `docker run` is still starting the container slows the start
    // itself (measured here: about 1.1 s instead of about 0.35 s), so the baseline does not.
    var id = new String(run.getInputStream().readAllBytes()).strip();
    run.waitFor();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!probe.isReady("127.0.0.1", port, FunctionDefinition.DEFAULT_READINESS_PATH, 50)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(def.image() + " not ready within 30 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    awaitOk(port, start + 30_000_000_000L);
    double ms = (System.nanoTime() - start) / 1e6;
    new ProcessBuilder("docker", "rm", "-f", id).start().waitFor();
    return ms;
  }

  /** Demand → READY and → first 200 through the orchestrator's cold-start path, in ms. */
  private static double[] orchestrated(
      FunctionDefinition def,
      InstanceManager manager,
      DockerContainers containers,
      InstanceRegistry registry)
      throws Exception {
    long start = System.nanoTime();
    var launch = manager.demand(def.name()).getFirst();
    var outcome = launch.outcome().get();
    double ready = (System.nanoTime() - start) / 1e6;
    if (!(outcome instanceof ColdStart.Ready(var instance))) {
      throw new IllegalStateException("cold start failed: " + outcome);
    }
    awaitOk(instance.port(), start + 30_000_000_000L);
    double ok = (System.nanoTime() - start) / 1e6;
    containers.remove(instance.containerId());
    registry.remove(def.name(), instance.id());
    return new double[] {ready, ok};
  }

  private static void awaitOk(int port, long deadlineNanos) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
    long interval = 2;
    while (System.nanoTime() < deadlineNanos) {
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // Not listening yet.
      }
      Thread.sleep(interval);
      interval = Math.min(50, interval + Math.max(1, interval / 2));
    }
    throw new IllegalStateException("no 200 on port " + port);
  }

  private static void report(String what, List<Double> samples) {
    System.out.printf(
        "%-36s p50 %6.1f ms  p90 %6.1f ms  (n=%d)%n",
        what, pct(samples, 50), pct(samples, 90), samples.size());
  }

  private static double pct(List<Double> samples, int percentile) {
    var sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index));
  }
}
