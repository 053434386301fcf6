package io.stoke.xds;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Objects;

/**
 * One whole, consistent set of xDS resources for every Envoy and xDS client, with a content-derived
 * version per resource type.
 *
 * @param listeners LDS resources, by name
 * @param routes RDS resources, by name
 * @param clusters CDS resources, by name
 * @param endpoints EDS resources, one per cluster, by cluster name
 * @param versions the version of each resource type
 * @param problems instances left out of the snapshot and why (for people debugging)
 */
public record XdsState(
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    XdsVersions versions,
    List<String> problems) {

  public XdsState {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(versions, "versions");
    problems = List.copyOf(problems);
  }

  /** The java-control-plane snapshot serving exactly these resources at these versions. */
  public Snapshot toSnapshot() {
    return Snapshot.create(
        clusters,
        versions.clusters(),
        endpoints,
        versions.endpoints(),
        listeners,
        versions.listeners(),
        routes,
        versions.routes(),
        List.of(),
        XdsVersions.EMPTY);
  }
}
