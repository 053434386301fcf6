package io.stoke.xds;

import static io.stoke.xds.Fixtures.function;
import static io.stoke.xds.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SnapshotTranslatorTest {

  private final SnapshotTranslator translator = new SnapshotTranslator(TranslatorSettings.DEFAULT);

  private final FunctionDefinition echo =
      function("echo", LoadBalancing.ROUND_ROBIN, 4, 50, Duration.ofSeconds(90));
  private final FunctionDefinition sleep =
      function("sleep", LoadBalancing.LEAST_REQUESTS, 0, 7, Duration.ofMinutes(5));
  private final FunctionDefinition hello =
      function("hello", LoadBalancing.RANDOM, 10, 0, Duration.ofMillis(1500));

  private XdsState translate(Map<String, List<Instance>> instances) {
    return translator.translate(new FunctionDefinitions(List.of(echo, sleep, hello)), instances);
  }

  private XdsState twoReadyEchoes() {
    return translate(
        Map.of(
            "echo",
            List.of(
                instance("e1", "echo", 30001, InstanceState.READY),
                instance("e2", "echo", 30002, InstanceState.READY))));
  }

  private static HttpConnectionManager hcm(Listener listener)
      throws InvalidProtocolBufferException {
    var any =
        listener.hasApiListener()
            ? listener.getApiListener().getApiListener()
            : listener.getFilterChains(0).getFilters(0).getTypedConfig();
    return any.unpack(HttpConnectionManager.class);
  }

  private static Listener listener(XdsState state, String name) {
    return state.listeners().stream()
        .filter(l -> l.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static Cluster cluster(XdsState state, String name) {
    return state.clusters().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static ClusterLoadAssignment endpoints(XdsState state, String cluster) {
    return state.endpoints().stream()
        .filter(e -> e.getClusterName().equals(cluster))
        .findFirst()
        .orElseThrow();
  }

  private static List<LbEndpoint> lbEndpoints(ClusterLoadAssignment assignment) {
    return assignment.getEndpointsList().stream()
        .flatMap(locality -> locality.getLbEndpointsList().stream())
        .toList();
  }

  @Test
  void servesOneHttpListenerOnPort10000WithTheConnectionManagerOverAdsRds() throws Exception {
    var listener = listener(twoReadyEchoes(), SnapshotTranslator.LISTENER);

    assertThat(listener.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(10000);
    var filter = listener.getFilterChains(0).getFilters(0);
    assertThat(filter.getTypedConfig().is(HttpConnectionManager.class)).isTrue();
    var hcm = hcm(listener);
    assertThat(hcm.getStatPrefix()).isEqualTo("stoke");
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(SnapshotTranslator.ROUTES);
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
  }

  @Test
  void endsTheFilterChainWithTheRouterFilter() throws Exception {
    var hcm = hcm(listener(twoReadyEchoes(), SnapshotTranslator.LISTENER));

    var last = hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1);
    assertThat(last.getName()).isEqualTo("envoy.filters.http.router");
    assertThat(last.getTypedConfig().is(Router.class)).isTrue();
  }

  @Test
  void publishesTheSameRoutesAsAnApiListenerForGrpcClients() throws Exception {
    var listener = listener(twoReadyEchoes(), "stoke-grpc");

    assertThat(listener.hasApiListener()).isTrue();
    assertThat(listener.getFilterChainsCount()).isZero();
    var hcm = hcm(listener);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(SnapshotTranslator.ROUTES);
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getTypedConfig().is(Router.class))
        .isTrue();
  }

  @Test
  void routesEachFunctionsPathAndSubPathsToItsClusterWithThePrefixRewritten() {
    var routes = twoReadyEchoes().routes();

    assertThat(routes).hasSize(1);
    var host = routes.get(0).getVirtualHosts(0);
    assertThat(host.getDomainsList()).containsExactly("*");
    var echoRoutes =
        host.getRoutesList().stream()
            .filter(r -> r.getRoute().getCluster().equals("fn_echo"))
            .toList();
    assertThat(echoRoutes).extracting(r -> r.getMatch().getPath()).contains("/echo");
    assertThat(echoRoutes).extracting(r -> r.getMatch().getPrefix()).contains("/echo/");
    assertThat(echoRoutes)
        .allSatisfy(r -> assertThat(r.getRoute().getPrefixRewrite()).isEqualTo("/"));
  }

  @Test
  void matchesTheFunctionAndItsSubPathsButNotALongerName() {
    var host = twoReadyEchoes().routes().get(0).getVirtualHosts(0);

    assertThat(clusterFor(host.getRoutesList(), "/echo")).isEqualTo("fn_echo");
    assertThat(clusterFor(host.getRoutesList(), "/echo/a")).isEqualTo("fn_echo");
    assertThat(clusterFor(host.getRoutesList(), "/echo/")).isEqualTo("fn_echo");
    assertThat(clusterFor(host.getRoutesList(), "/echoother")).isNull();
    assertThat(clusterFor(host.getRoutesList(), "/ech")).isNull();
    assertThat(rewrite(host.getRoutesList(), "/echo/a?x=1")).isEqualTo("/a?x=1");
    assertThat(rewrite(host.getRoutesList(), "/echo")).isEqualTo("/");
  }

  /** Envoy's first-match semantics over path and prefix matches. */
  private static Route firstMatch(List<Route> routes, String path) {
    String withoutQuery = path.split(Pattern.quote("?"), 2)[0];
    for (var route : routes) {
      var match = route.getMatch();
      if (match.hasPath()
          ? withoutQuery.equals(match.getPath())
          : path.startsWith(match.getPrefix())) {
        return route;
      }
    }
    return null;
  }

  private static String clusterFor(List<Route> routes, String path) {
    var route = firstMatch(routes, path);
    return route == null ? null : route.getRoute().getCluster();
  }

  private static String rewrite(List<Route> routes, String path) {
    var route = firstMatch(routes, path);
    var match = route.getMatch();
    String matched = match.hasPath() ? match.getPath() : match.getPrefix();
    return route.getRoute().getPrefixRewrite() + path.substring(matched.length());
  }

  @Test
  void setsTheRouteAndIdleTimeoutsToTheFunctionsTimeoutSoEnvoysDefaultNeverApplies() {
    var routes = twoReadyEchoes().routes().get(0).getVirtualHosts(0).getRoutesList();

    for (var route : routes) {
      var action = route.getRoute();
      long expectedMillis =
          switch (action.getCluster()) {
            case "fn_echo" -> 90_000;
            case "fn_sleep" -> 300_000;
            case "fn_hello" -> 1_500;
            default -> throw new AssertionError(action.getCluster());
          };
      assertThat(millis(action.getTimeout())).isEqualTo(expectedMillis);
      assertThat(millis(action.getIdleTimeout())).isEqualTo(expectedMillis);
    }
  }

  private static long millis(com.google.protobuf.Duration d) {
    return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
  }

  @Test
  void givesEachFunctionAnEdsClusterOverAdsWithItsLoadBalancingPolicy() {
    var state = twoReadyEchoes();

    assertThat(state.clusters())
        .extracting(Cluster::getName)
        .containsExactly("fn_echo", "fn_hello", "fn_sleep");
    assertThat(state.clusters()).allSatisfy(c -> assertThat(c.getName()).doesNotContain("."));
    var echoCluster = cluster(state, "fn_echo");
    assertThat(echoCluster.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(echoCluster.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(millis(echoCluster.getConnectTimeout())).isEqualTo(2_000);
    assertThat(echoCluster.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(cluster(state, "fn_hello").getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(cluster(state, "fn_sleep").getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
  }

  @Test
  void limitsRequestsToConcurrencyTimesReadyInstancesAndPendingToTheQueueSize() {
    var state =
        translate(
            Map.of(
                "echo",
                List.of(
                    instance("e1", "echo", 30001, InstanceState.READY),
                    instance("e2", "echo", 30002, InstanceState.READY),
                    instance("e3", "echo", 30003, InstanceState.DRAINING),
                    instance("e4", "echo", 30004, InstanceState.STARTING))));

    var echoLimits = cluster(state, "fn_echo").getCircuitBreakers().getThresholds(0);
    assertThat(echoLimits.getMaxRequests().getValue()).isEqualTo(4 * 2);
    assertThat(echoLimits.getMaxPendingRequests().getValue()).isEqualTo(50);
    assertThat(echoLimits.getTrackRemaining()).isTrue();
    var sleepLimits = cluster(state, "fn_sleep").getCircuitBreakers().getThresholds(0);
    assertThat(sleepLimits.getMaxRequests().getValue())
        .isEqualTo(SnapshotTranslator.UNLIMITED_REQUESTS);
    assertThat(sleepLimits.getMaxPendingRequests().getValue()).isEqualTo(7);
    var helloLimits = cluster(state, "fn_hello").getCircuitBreakers().getThresholds(0);
    assertThat(helloLimits.getMaxRequests().getValue()).as("at least 1").isEqualTo(1);
    assertThat(helloLimits.getMaxPendingRequests().getValue()).isZero();
  }

  @Test
  void servesReadyInstancesHealthyAndDrainingOnesDrainingAndLeavesStartingOnesOut() {
    var state =
        translate(
            Map.of(
                "echo",
                List.of(
                    instance("e1", "echo", 30001, InstanceState.READY),
                    instance("e2", "echo", 30002, InstanceState.DRAINING),
                    instance("e3", "echo", 30003, InstanceState.STARTING))));

    var endpoints = lbEndpoints(endpoints(state, "fn_echo"));
    assertThat(endpoints)
        .extracting(
            e -> e.getEndpoint().getAddress().getSocketAddress().getPortValue(),
            LbEndpoint::getHealthStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(30001, HealthStatus.HEALTHY),
            org.assertj.core.groups.Tuple.tuple(30002, HealthStatus.DRAINING));
    assertThat(endpoints.get(0).getEndpoint().getAddress().getSocketAddress().getAddress())
        .isEqualTo("127.0.0.1");
    assertThat(endpoints(state, "fn_echo").getEndpoints(0).getLoadBalancingWeight().getValue())
        .as("gRPC ignores localities without weight")
        .isEqualTo(1);
  }

  @Test
  void keepsAValidClusterWithAnEmptyLoadAssignmentForAFunctionWithoutInstances() {
    var state = translate(Map.of());

    assertThat(state.clusters()).hasSize(3);
    var assignment = endpoints(state, "fn_hello");
    assertThat(assignment.getEndpointsCount()).isZero();
    assertThatCode(() -> state.toSnapshot().ensureConsistent()).doesNotThrowAnyException();
  }

  @Test
  void leavesOutInstancesWhoseHostIsNotAnIpAddressAndSaysWhy() {
    var state =
        translate(
            Map.of(
                "echo",
                List.of(
                    instance("e1", "echo", "stoke-echo-e1", 8080, InstanceState.READY),
                    instance("e2", "echo", 30002, InstanceState.READY))));

    assertThat(lbEndpoints(endpoints(state, "fn_echo"))).hasSize(1);
    assertThat(state.problems()).singleElement().asString().contains("e1", "stoke-echo-e1");
  }

  @Test
  void ignoresInstancesOfFunctionsThatAreNotPublished() {
    var state =
        translate(Map.of("gone", List.of(instance("g1", "gone", 30009, InstanceState.READY))));

    assertThat(state.clusters()).extracting(Cluster::getName).doesNotContain("fn_gone");
    assertThatCode(() -> state.toSnapshot().ensureConsistent()).doesNotThrowAnyException();
  }

  @Test
  void anEndpointOnlyChangeBumpsOnlyTheEndpointVersion() {
    var before = twoReadyEchoes();
    var after =
        translate(
            Map.of(
                "echo",
                List.of(
                    instance("e1", "echo", 30001, InstanceState.READY),
                    instance("e3", "echo", 30003, InstanceState.READY),
                    instance("e4", "echo", 30004, InstanceState.DRAINING))));

    assertThat(after.versions().endpoints()).isNotEqualTo(before.versions().endpoints());
    assertThat(after.versions().clusters()).isEqualTo(before.versions().clusters());
    assertThat(after.versions().listeners()).isEqualTo(before.versions().listeners());
    assertThat(after.versions().routes()).isEqualTo(before.versions().routes());
  }

  @Test
  void aReadyCountChangeAlsoBumpsTheClusterVersionBecauseTheBreakerFollowsIt() {
    var before = twoReadyEchoes();
    var after =
        translate(Map.of("echo", List.of(instance("e1", "echo", 30001, InstanceState.READY))));

    assertThat(after.versions().clusters()).isNotEqualTo(before.versions().clusters());
    assertThat(after.versions().routes()).isEqualTo(before.versions().routes());
    assertThat(after.versions().listeners()).isEqualTo(before.versions().listeners());
  }

  @Test
  void aNewFunctionBumpsRoutesClustersAndEndpointsButNotListeners() {
    var before = twoReadyEchoes();
    var after =
        translator.translate(
            new FunctionDefinitions(List.of(echo, sleep, hello, function("upper"))),
            Map.of(
                "echo",
                List.of(
                    instance("e1", "echo", 30001, InstanceState.READY),
                    instance("e2", "echo", 30002, InstanceState.READY))));

    assertThat(after.versions().routes()).isNotEqualTo(before.versions().routes());
    assertThat(after.versions().clusters()).isNotEqualTo(before.versions().clusters());
    assertThat(after.versions().endpoints()).isNotEqualTo(before.versions().endpoints());
    assertThat(after.versions().listeners()).isEqualTo(before.versions().listeners());
  }

  @Test
  void derivesVersionsFromContentSoEqualInputsGiveEqualVersionsAcrossRestarts() {
    var first = twoReadyEchoes();
    var second =
        new SnapshotTranslator(TranslatorSettings.DEFAULT)
            .translate(
                new FunctionDefinitions(List.of(hello, echo, sleep)),
                Map.of(
                    "echo",
                    List.of(
                        instance("e1", "echo", 30001, InstanceState.READY),
                        instance("e2", "echo", 30002, InstanceState.READY))));

    assertThat(second.versions()).isEqualTo(first.versions());
  }

  @Test
  void producesASnapshotThatIsConsistentAndRoutesOnlyToClustersInIt() {
    var state = twoReadyEchoes();

    var snapshot = state.toSnapshot();
    assertThatCode(snapshot::ensureConsistent).doesNotThrowAnyException();
    var clusterNames = state.clusters().stream().map(Cluster::getName).toList();
    assertThat(state.routes().get(0).getVirtualHosts(0).getRoutesList())
        .allSatisfy(r -> assertThat(clusterNames).contains(r.getRoute().getCluster()));
    assertThat(snapshot.version(io.envoyproxy.controlplane.cache.Resources.ResourceType.ENDPOINT))
        .isEqualTo(state.versions().endpoints());
  }
}
