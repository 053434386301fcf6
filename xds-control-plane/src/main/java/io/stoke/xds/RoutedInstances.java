package io.stoke.xds;

import com.google.protobuf.InvalidProtocolBufferException;
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
import java.util.function.Function;
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
 * <p>An acknowledgement names the answer it acknowledges by its nonce, and a version counts only
 * for the clusters that answer carried: a request that adds a cluster acknowledges an earlier
 * answer, which did not carry it, and a cluster added while an answer was on its way is not in that
 * answer either. The first request of a stream is the exception: a reconnecting client states the
 * version it has for what it asks.
 */
public final class RoutedInstances implements DiscoveryServerCallbacks {

  private static final Logger log = LoggerFactory.getLogger(RoutedInstances.class);

  /** Endpoint versions remembered; a client acknowledging an older one is far behind anyway. */
  private static final int VERSIONS_KEPT = 64;

  /** Answers remembered per stream until acknowledged; a client acknowledges the latest. */
  private static final int ANSWERS_KEPT = 8;

  /** What one ADS stream asked for and acknowledged, for EDS only. */
  private static final class Stream {
    Set<String> clusters = Set.of();
    final Map<String, String> ackedVersion = new HashMap<>();

    /** The clusters each answer not yet acknowledged carried, by nonce. */
    final Map<String, Set<String>> carried =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > ANSWERS_KEPT;
          }
        };
  }

  private final Function<Map<String, Set<String>>, Set<String>> writer;
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

  /** Functions whose last routed set could not be stored: written again by {@link #retry()}. */
  private final Set<String> unstored = new HashSet<>();

  /**
   * @param writer stores a changed routed set per function (an empty set: none routed) and returns
   *     the functions it could not store; runs on {@code writes}, in the order the changes happened
   * @param writes runs the writer off the gRPC threads
   */
  public RoutedInstances(Function<Map<String, Set<String>>, Set<String>> writer, Executor writes) {
    this.writer = writer;
    this.writes = writes;
  }

  /**
   * The writer of the control plane: the routed sets in Redis, then one event per function; returns
   * the functions Redis did not take.
   */
  public static Function<Map<String, Set<String>>, Set<String>> redisWriter(UnifiedJedis redis) {
    return changed -> {
      var failed = new HashSet<String>();
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
              log.warn(
                  "Cannot store the routed instances of {} (retried): {}", function, e.toString());
              failed.add(function);
            }
          });
      return failed;
    };
  }

  /**
   * Writes again the routed sets of functions whose last write failed, as they are now. Called
   * periodically: without it a function whose write failed would keep a stale set in Redis until
   * its routing changed again, and held requests in envoy mode would wait for nothing.
   */
  public synchronized void retry() {
    if (!unstored.isEmpty()) {
      announceChanges();
    }
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
      var nonce = request.getResponseNonce();
      var answered = nonce.isEmpty() ? null : stream.carried.remove(nonce);
      if (!request.hasErrorDetail() && !version.isEmpty()) {
        if (answered != null) {
          for (var cluster : answered) {
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

  /**
   * Remembers which clusters an endpoint answer carries. java-control-plane calls this before it
   * sends the answer, so it is known before the client can acknowledge it.
   */
  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    if (!Resources.V3.ENDPOINT_TYPE_URL.equals(response.getTypeUrl())) {
      return;
    }
    var clusters = new HashSet<String>();
    for (var resource : response.getResourcesList()) {
      try {
        clusters.add(resource.unpack(ClusterLoadAssignment.class).getClusterName());
      } catch (InvalidProtocolBufferException e) {
        log.warn(
            "Unreadable endpoint resource in answer {}: {}", response.getNonce(), e.toString());
      }
    }
    synchronized (this) {
      var stream = streams.get(streamId);
      if (stream != null) { // always: the answer follows the stream's first endpoint request
        stream.carried.put(response.getNonce(), Set.copyOf(clusters));
      }
    }
  }

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
    for (var function : unstored) {
      changed.computeIfAbsent(function, f -> Set.copyOf(now.getOrDefault(f, Set.of())));
    }
    unstored.clear();
    if (changed.isEmpty()) {
      return;
    }
    var copy = new HashMap<String, Set<String>>();
    now.forEach((function, ids) -> copy.put(function, Set.copyOf(ids)));
    announced = copy;
    writes.execute(() -> store(changed));
  }

  private void store(Map<String, Set<String>> changed) {
    var failed = writer.apply(changed);
    if (!failed.isEmpty()) {
      synchronized (this) {
        unstored.addAll(failed);
      }
    }
  }
}
