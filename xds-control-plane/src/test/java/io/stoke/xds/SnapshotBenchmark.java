package io.stoke.xds;

import static io.stoke.xds.Fixtures.function;
import static io.stoke.xds.Fixtures.instance;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints how long the control plane takes to (1) translate and publish a snapshot of 1000 functions
 * with 3 endpoints each, and (2) serve a registry change on a raw ADS stream. Asserts nothing. Run:
 * see the module's report; needs redis-server for part 2.
 */
public final class SnapshotBenchmark {

  private static final int FUNCTIONS = 1000;
  private static final int ENDPOINTS = 3;

  public static void main(String[] args) throws Exception {
    var functions = functions();
    var instances = instances(functions);
    translateAndPublish(functions, instances);
    changeToServed(functions, instances);
    System.exit(0);
  }

  private static FunctionDefinitions functions() {
    var list = new ArrayList<FunctionDefinition>();
    for (int i = 0; i < FUNCTIONS; i++) {
      // Unlimited concurrency: a new READY instance changes the endpoints only.
      list.add(function("fn-" + i, LoadBalancing.ROUND_ROBIN, 0, 100, Duration.ofSeconds(60)));
    }
    return new FunctionDefinitions(list);
  }

  private static Map<String, List<Instance>> instances(FunctionDefinitions functions) {
    var map = new LinkedHashMap<String, List<Instance>>();
    int port = 20000;
    for (var function : functions.functions()) {
      var own = new ArrayList<Instance>();
      for (int j = 0; j < ENDPOINTS; j++) {
        own.add(instance(function.name() + "-" + j, function.name(), port++, InstanceState.READY));
      }
      map.put(function.name(), own);
    }
    return map;
  }

  private static void translateAndPublish(
      FunctionDefinitions functions, Map<String, List<Instance>> instances) {
    var translator = new SnapshotTranslator(TranslatorSettings.DEFAULT);
    var cache = new SimpleCache<String>(node -> "stoke");
    for (int i = 0; i < 30; i++) {
      cache.setSnapshot("stoke", translator.translate(functions, instances).toSnapshot());
    }
    int runs = 21;
    long[] translate = new long[runs];
    long[] total = new long[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      var state = translator.translate(functions, instances);
      long t1 = System.nanoTime();
      cache.setSnapshot("stoke", state.toSnapshot());
      long t2 = System.nanoTime();
      translate[i] = t1 - t0;
      total[i] = t2 - t0;
    }
    System.out.printf(
        "translate %d functions x %d endpoints: median %.1f ms (min %.1f, max %.1f)%n",
        FUNCTIONS, ENDPOINTS, median(translate), min(translate), max(translate));
    System.out.printf(
        "translate + Snapshot.create + setSnapshot: median %.1f ms (min %.1f, max %.1f) over %d"
            + " runs after 30 warm-up%n",
        median(total), min(total), max(total), runs);
  }

  private static void changeToServed(
      FunctionDefinitions functions, Map<String, List<Instance>> instances) throws Exception {
    try (var controlPlane = ControlPlaneHarness.start(functions)) {
      instances.values().stream().flatMap(List::stream).forEach(controlPlane.registry::put);
      var versions = controlPlane.publisher.resync().versions();
      var clusters = functions.names().stream().map(SnapshotTranslator::clusterName).toList();
      try (var stream = new AdsStream(controlPlane.port(), "bench")) {
        stream.subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of());
        stream.ack(stream.next(Duration.ofSeconds(30)), List.of());
        stream.subscribe(Resources.V3.ENDPOINT_TYPE_URL, clusters);
        var eds = stream.next(Duration.ofSeconds(30));
        stream.ack(eds, clusters);
        String served = eds.getVersionInfo();
        System.out.printf("initial EDS version %s (publisher %s)%n", served, versions.endpoints());
        int runs = 15;
        long[] latency = new long[runs + 5];
        for (int i = 0; i < runs + 5; i++) {
          var added =
              instance("extra-" + i, "fn-" + (i * 37 % FUNCTIONS), 40000 + i, InstanceState.READY);
          long t0 = System.nanoTime();
          controlPlane.put(added, InstanceEvent.Type.READY);
          DiscoveryResponse pushed;
          do {
            pushed = stream.next(Duration.ofSeconds(30));
            stream.ack(pushed, pushed.getTypeUrl().equals(eds.getTypeUrl()) ? clusters : List.of());
          } while (!pushed.getTypeUrl().equals(eds.getTypeUrl())
              || pushed.getVersionInfo().equals(served));
          latency[i] = System.nanoTime() - t0;
          served = pushed.getVersionInfo();
        }
        long[] measured = Arrays.copyOfRange(latency, 5, latency.length);
        System.out.printf(
            "registry change (HSET + PUBLISH) -> new EDS version on the ADS stream, 30 ms debounce"
                + " included: median %.1f ms (min %.1f, max %.1f) over %d changes after 5"
                + " warm-up%n",
            median(measured), min(measured), max(measured), runs);
        System.out.printf("NACKs: %d%n", controlPlane.stats.nacks());
      }
    }
  }

  private static double median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e6;
  }

  private static double min(long[] nanos) {
    return Arrays.stream(nanos).min().orElseThrow() / 1e6;
  }

  private static double max(long[] nanos) {
    return Arrays.stream(nanos).max().orElseThrow() / 1e6;
  }
}
