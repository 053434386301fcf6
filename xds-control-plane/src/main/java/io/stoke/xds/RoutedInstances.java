package io.stoke.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.RedisKeys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Tells the gateway which instances Envoy can route to. A READY instance is not yet routable when
 * the orchestrator announces it: the snapshot with its endpoint is published after a debounce, and
 * each client applies it when it gets it. So this watches the EDS acknowledgements on every ADS
 * stream, and an instance counts as routed once every stream subscribed to its function's cluster
 * has acknowledged an endpoint version that contains it. The result is written to {@link
 * RedisKeys#routed(String)} and announced with {@link InstanceEvent.Type#ROUTED}; the gateway in
 * envoy mode releases held requests only then, so a cold start never meets Envoy's "no healthy
 * upstream".
 *
 * <p>A version counts for a cluster only when the stream had already asked for that cluster before
 * the acknowledgement: a request that adds a cluster acknowledges the previous answer, which did
 * not carry it. The first request of a stream is the exception: a reconnecting client states the
 * version it has for what it asks.
 */
public final class RoutedInstances implements DiscoveryServerCallbacks {

  private static final Logger log = LoggerFactory.getLogger(RoutedInstances.class);

  /** Endpoint versions remembered; a client acknowledging an older one is far behind anyway. */
  private static final int VERSIONS_KEPT = 64;

  /** What one ADS stream asked for and acknowledged, for EDS only. */
  private static final class Stream {
    Set<String> clusters = Set.of();
    final Map<String, String> ackedVersion = new HashMap<>();
  }

  private final Consumer<Map<String, Set<String>>> writer;
  private final Executor writes;
  private final Map<String, Map<String, Set<String>>> instancesByVersion =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Set<String>>> eldest) {
          return size() > VERSIONS_KEPT;
        }
      };
  private final Map<Long, Stream> streams = new HashMap<>();
  private Map<String, Set<String>> announced = Map.of();

  /**
   * @param writer stores a changed routed set per function (an empty set: none routed); runs on
   *     {@code writes}, in the order the changes happened
   * @param writes runs the writer off the gRPC threads
   */
  public RoutedInstances(Consumer<Map<String, Set<String>>> writer, Executor writes) {
    this.writer = writer;
    this.writes = writes;
  }

  /** The writer of the control plane: the routed sets in Redis, then one event per function. */
  public static Consumer<Map<String, Set<String>>> redisWriter(UnifiedJedis redis) {
    return changed ->
        changed.forEach(
            (function, ids) -> {
              try (var tx = redis.multi()) {
                tx.del(RedisKeys.routed(function));
                if (!ids.isEmpty()) {
                  tx.sadd(RedisKeys.routed(function), ids.toArray(String[]::new));
                }
                tx.publish(
                    RedisKeys.EVENTS,
                    io.stoke.common.contract.Json.write(
                        new InstanceEvent(
                            InstanceEvent.Type.ROUTED,
                            function,
                            "",
                            ids.size() + " instance(s) routed by every xDS client",
                            System.currentTimeMillis())));
                tx.exec();
              } catch (RuntimeException e) {
                // The next acknowledgement or stream change writes the whole set again.
                log.warn("Cannot store the routed instances of {}: {}", function, e.toString());
              }
            });
  }

  /** Remembers which instances the endpoint version {@code version} carries, per cluster. */
  public synchronized void published(String version, List<ClusterLoadAssignment> endpoints) {
    var byCluster = new HashMap<String, Set<String>>();
    for (var assignment : endpoints) {
      var ids = new HashSet<String>();
      for (var locality : assignment.getEndpointsList()) {
        for (var endpoint : locality.getLbEndpointsList()) {
          if (endpoint.getHealthStatus() == HealthStatus.HEALTHY) {
            ids.add(endpoint.getEndpoint().getHostname());
          }
        }
      }
      byCluster.put(assignment.getClusterName(), Set.copyOf(ids));
    }
    // Content-derived versions recur: a returning one is the newest again, not the first evicted.
    instancesByVersion.remove(version);
    instancesByVersion.put(version, Map.copyOf(byCluster));
    // A client may already have said it holds this version (a reconnect racing the first
    // snapshot after a restart): it counts now.
    announceChanges();
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    if (!Resources.V3.ENDPOINT_TYPE_URL.equals(request.getTypeUrl())) {
      return;
    }
    synchronized (this) {
      var stream = streams.get(streamId);
      boolean first = stream == null;
      if (first) {
        stream = new Stream();
        streams.put(streamId, stream);
      }
      var asked = Set.copyOf(request.getResourceNamesList());
      var version = request.getVersionInfo();
      if (!request.hasErrorDetail() && !version.isEmpty()) {
        if (!request.getResponseNonce().isEmpty()) {
          for (var cluster : stream.clusters) {
            if (asked.contains(cluster)) {
              stream.ackedVersion.put(cluster, version);
            }
          }
        } else if (first) {
          // A client reconnecting states the version it has. With unchanged state the control
          // plane has nothing newer to send, so no acknowledgement would ever follow.
          for (var cluster : asked) {
            stream.ackedVersion.put(cluster, version);
          }
        }
      }
      stream.clusters = asked;
      stream.ackedVersion.keySet().retainAll(asked);
      announceChanges();
    }
  }

  /**
   * Delta xDS is not followed: Stoke's Envoy bootstrap ({@code envoy/envoy.yaml}) asks for
   * state-of-the-world ADS ({@code api_type: GRPC}), as does gRPC's xDS client.
   */
  @Override
  public void onV3StreamDeltaRequest(
      long streamId, io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest request) {}

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {}

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    forget(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    forget(streamId);
  }

  private synchronized void forget(long streamId) {
    if (streams.remove(streamId) != null) {
      announceChanges();
    }
  }

  /** Routed instances per function: those every stream asking for its cluster acknowledged. */
  synchronized Map<String, Set<String>> routed() {
    var routed = new HashMap<String, Set<String>>();
    for (var stream : streams.values()) {
      for (var cluster : stream.clusters) {
        if (!cluster.startsWith(SnapshotTranslator.CLUSTER_PREFIX)) {
          continue;
        }
        var function = cluster.substring(SnapshotTranslator.CLUSTER_PREFIX.length());
        var version = stream.ackedVersion.get(cluster);
        var known = version == null ? null : instancesByVersion.get(version);
        Set<String> acked = known == null ? Set.of() : known.getOrDefault(cluster, Set.of());
        routed.merge(
            function,
            new HashSet<>(acked),
            (a, b) -> {
              a.retainAll(b);
              return a;
            });
      }
    }
    return routed;
  }

  private void announceChanges() {
    var now = routed();
    var changed = new HashMap<String, Set<String>>();
    now.forEach(
        (function, ids) -> {
          if (!ids.equals(announced.get(function))) {
            changed.put(function, Set.copyOf(ids));
          }
        });
    for (var function : announced.keySet()) {
      if (!now.containsKey(function) && !announced.get(function).isEmpty()) {
        changed.put(function, Set.of());
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    var copy = new HashMap<String, Set<String>>();
    now.forEach((function, ids) -> copy.put(function, Set.copyOf(ids)));
    announced = copy;
    writes.execute(() -> writer.accept(changed));
  }
}
