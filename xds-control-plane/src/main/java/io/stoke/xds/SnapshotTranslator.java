package io.stoke.xds;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Translates the published functions and the instance registry into one whole xDS snapshot: a
 * listener, one route configuration, and a cluster with its endpoints per function. Pure: reads no
 * clock and does no I/O, so equal inputs give equal resources and equal versions.
 */
public final class SnapshotTranslator {

  /** Envoy's HTTP listener. */
  public static final String LISTENER = "stoke_http";

  /** The one route configuration, shared by Envoy's listener and the api_listener. */
  public static final String ROUTES = "stoke_routes";

  /** The virtual host holding every function's routes. */
  public static final String VIRTUAL_HOST = "stoke_functions";

  /** Envoy stat prefix of the HTTP connection manager: {@code http.stoke.*}. */
  public static final String STAT_PREFIX = "stoke";

  /** Prefix of function clusters; the stats listener maps {@code cluster.fn_<name>.*} back. */
  public static final String CLUSTER_PREFIX = "fn_";

  /** max_requests of a function whose instances take any number of requests at once. */
  public static final int UNLIMITED_REQUESTS = 1_000_000;

  /**
   * The connection manager's filter name. Envoy finds the filter by its typed_config's type, so the
   * name is a label; java-control-plane's {@code ensureConsistent()} follows listener → route
   * references only through a filter of this name.
   */
  static final String HCM_FILTER = "envoy.http_connection_manager";

  static final String ROUTER_FILTER = "envoy.filters.http.router";

  private final TranslatorSettings settings;

  public SnapshotTranslator(TranslatorSettings settings) {
    this.settings = settings;
  }

  /** The cluster name of a function; function names are dot-free, so this is too. */
  public static String clusterName(String function) {
    return CLUSTER_PREFIX + function;
  }

  /** Builds the whole state for {@code functions} and their {@code instances}, by function. */
  public XdsState translate(FunctionDefinitions functions, Map<String, List<Instance>> instances) {
    var sorted =
        functions.functions().stream()
            .sorted(Comparator.comparing(FunctionDefinition::name))
            .toList();
    var problems = new ArrayList<String>();
    var clusters = new ArrayList<Cluster>(sorted.size());
    var endpoints = new ArrayList<ClusterLoadAssignment>(sorted.size());
    for (var function : sorted) {
      var own = instances.getOrDefault(function.name(), List.of());
      clusters.add(cluster(function, readyCount(own)));
      endpoints.add(loadAssignment(function, own, problems));
    }
    var listeners = List.of(httpListener(), apiListener());
    var routes = List.of(routeConfiguration(sorted));
    var versions =
        new XdsVersions(
            XdsVersions.of(listeners),
            XdsVersions.of(routes),
            XdsVersions.of(clusters),
            XdsVersions.of(endpoints));
    return new XdsState(listeners, routes, clusters, endpoints, versions, problems);
  }

  private static int readyCount(List<Instance> instances) {
    return (int) instances.stream().filter(Instance::isReady).count();
  }

  // Listeners

  private Listener httpListener() {
    var address =
        Address.newBuilder()
            .setSocketAddress(
                SocketAddress.newBuilder()
                    .setAddress(settings.listenerAddress())
                    .setPortValue(settings.listenerPort()));
    var filter =
        Filter.newBuilder()
            .setName(HCM_FILTER)
            .setTypedConfig(Any.pack(connectionManager(STAT_PREFIX)));
    return Listener.newBuilder()
        .setName(LISTENER)
        .setAddress(address)
        .addFilterChains(FilterChain.newBuilder().addFilters(filter))
        .build();
  }

  /**
   * The same routes as an {@code api_listener}, the only listener form gRPC's xDS client resolves.
   * Envoy leaves api_listeners received over LDS aside (it logs a warning; it does not NACK).
   */
  private Listener apiListener() {
    var hcm = connectionManager(STAT_PREFIX + "_grpc");
    return Listener.newBuilder()
        .setName(settings.apiListenerName())
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  private static HttpConnectionManager connectionManager(String statPrefix) {
    var rds =
        Rds.newBuilder().setConfigSource(adsConfigSource()).setRouteConfigName(ROUTES).build();
    var router =
        HttpFilter.newBuilder()
            .setName(ROUTER_FILTER)
            .setTypedConfig(Any.pack(Router.getDefaultInstance()));
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setRds(rds)
        .addHttpFilters(router)
        .build();
  }

  private static ConfigSource adsConfigSource() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  // Routes

  private static RouteConfiguration routeConfiguration(List<FunctionDefinition> functions) {
    var host = VirtualHost.newBuilder().setName(VIRTUAL_HOST).addDomains("*");
    for (var function : functions) {
      // Two routes rather than path_separated_prefix: gRPC's xDS client understands only
      // path, prefix and safe_regex matches. "/fn" and "/fn/..." match; "/fnother" does not.
      host.addRoutes(route(function, RouteMatch.newBuilder().setPath("/" + function.name())));
      host.addRoutes(
          route(function, RouteMatch.newBuilder().setPrefix("/" + function.name() + "/")));
    }
    return RouteConfiguration.newBuilder().setName(ROUTES).addVirtualHosts(host).build();
  }

  private static Route route(FunctionDefinition function, RouteMatch.Builder match) {
    var timeout = protoDuration(function.timeout());
    var action =
        RouteAction.newBuilder()
            .setCluster(clusterName(function.name()))
            // The matched "/fn" or "/fn/" becomes "/": the function sees its own sub-path.
            .setPrefixRewrite("/")
            // Envoy's 15 s default must never cut a function short, nor its 5 min stream idle
            // timeout a long one that sends nothing while it works.
            .setTimeout(timeout)
            .setIdleTimeout(timeout);
    return Route.newBuilder()
        .setName(function.name() + (match.hasPath() ? "_exact" : "_prefix"))
        .setMatch(match)
        .setRoute(action)
        .build();
  }

  // Clusters

  private Cluster cluster(FunctionDefinition function, int readyInstances) {
    var eds = Cluster.EdsClusterConfig.newBuilder().setEdsConfig(adsConfigSource());
    int maxRequests = maxRequests(function, readyInstances);
    var thresholds =
        CircuitBreakers.Thresholds.newBuilder()
            .setPriority(RoutingPriority.DEFAULT)
            // Upstreams speak HTTP/1.1, one request per connection: connections must not cap
            // below requests, or requests would queue as pending before the concurrency limit.
            .setMaxConnections(UInt32Value.of(maxRequests))
            .setMaxRequests(UInt32Value.of(maxRequests))
            .setMaxPendingRequests(UInt32Value.of(function.scaling().queueSize()))
            .setTrackRemaining(true);
    return Cluster.newBuilder()
        .setName(clusterName(function.name()))
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(eds)
        .setConnectTimeout(protoDuration(settings.connectTimeout()))
        .setLbPolicy(lbPolicy(function.loadBalancing()))
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(thresholds))
        .build();
  }

  /** concurrency x READY instances, at least 1; unlimited concurrency gives a large number. */
  static int maxRequests(FunctionDefinition function, int readyInstances) {
    var scaling = function.scaling();
    if (scaling.unlimitedConcurrency()) {
      return UNLIMITED_REQUESTS;
    }
    long total = (long) scaling.concurrency() * readyInstances;
    return (int) Math.max(1, Math.min(total, UNLIMITED_REQUESTS));
  }

  private static Cluster.LbPolicy lbPolicy(LoadBalancing loadBalancing) {
    return switch (loadBalancing) {
      case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
      case RANDOM -> Cluster.LbPolicy.RANDOM;
      case LEAST_REQUESTS -> Cluster.LbPolicy.LEAST_REQUEST;
    };
  }

  // Endpoints

  private static ClusterLoadAssignment loadAssignment(
      FunctionDefinition function, List<Instance> instances, List<String> problems) {
    var assignment =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName(function.name()));
    var locality = LocalityLbEndpoints.newBuilder();
    for (var instance : instances) {
      var health = health(instance.state());
      if (health == null) {
        continue;
      }
      // EDS addresses must be IP literals; a host name would make Envoy reject the whole update.
      if (!InetAddresses.isInetAddress(instance.host())) {
        problems.add(
            "instance "
                + instance.id()
                + " of "
                + function.name()
                + " left out: host '"
                + instance.host()
                + "' is not an IP address");
        continue;
      }
      locality.addLbEndpoints(endpoint(instance, health));
    }
    if (locality.getLbEndpointsCount() > 0) {
      // gRPC's xDS client ignores localities without a weight.
      assignment.addEndpoints(locality.setLoadBalancingWeight(UInt32Value.of(1)));
    }
    return assignment.build();
  }

  /** READY serves, DRAINING finishes what it has, STARTING is not there yet (null). */
  private static HealthStatus health(InstanceState state) {
    return switch (state) {
      case READY -> HealthStatus.HEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
      case STARTING -> null;
    };
  }

  private static LbEndpoint endpoint(Instance instance, HealthStatus health) {
    var address =
        Address.newBuilder()
            .setSocketAddress(
                SocketAddress.newBuilder()
                    .setAddress(instance.host())
                    .setPortValue(instance.port()));
    return LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(address).setHostname(instance.id()))
        .setHealthStatus(health)
        .build();
  }

  private static com.google.protobuf.Duration protoDuration(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }
}
