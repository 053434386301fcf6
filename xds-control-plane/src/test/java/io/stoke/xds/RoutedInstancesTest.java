package io.stoke.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which acknowledgements make an instance routed (pure logic: requests built by hand). */
class RoutedInstancesTest {

  private final List<Map<String, Set<String>>> written = new ArrayList<>();

  /** Functions whose writes fail, as when Redis is down. */
  private final Set<String> failing = new HashSet<>();

  private final RoutedInstances routed =
      new RoutedInstances(
          changed -> {
            written.add(changed);
            var failed = new HashSet<>(changed.keySet());
            failed.retainAll(failing);
            return failed;
          },
          Runnable::run);

  private static ClusterLoadAssignment cluster(String function, String... healthy) {
    var locality = LocalityLbEndpoints.newBuilder();
    for (var id : healthy) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setHostname(id))
              .setHealthStatus(HealthStatus.HEALTHY));
    }
    locality.addLbEndpoints(
        LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setHostname("draining"))
            .setHealthStatus(HealthStatus.DRAINING));
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(SnapshotTranslator.clusterName(function))
        .addEndpoints(locality)
        .build();
  }

  private static DiscoveryRequest eds(String version, String nonce, String... functions) {
    var request =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL)
            .setVersionInfo(version)
            .setResponseNonce(nonce);
    for (var function : functions) {
      request.addResourceNames(SnapshotTranslator.clusterName(function));
    }
    return request.build();
  }

  /** The control plane sends stream {@code stream} an endpoint answer carrying these clusters. */
  private void answer(long stream, String nonce, String... functions) {
    var response =
        DiscoveryResponse.newBuilder().setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL).setNonce(nonce);
    for (var function : functions) {
      response.addResources(Any.pack(cluster(function)));
    }
    routed.onV3StreamResponse(stream, eds("", "", functions), response.build());
  }

  @Test
  void anInstanceIsRoutedOnceEveryClientAskingForItsClusterAcknowledgedAVersionWithIt() {
    routed.published("v1", List.of(cluster("a", "a1")));
    routed.published("v2", List.of(cluster("a", "a1", "a2")));

    routed.onV3StreamRequest(1, eds("", "", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of());

    answer(1, "n1", "a");
    routed.onV3StreamRequest(1, eds("v1", "n1", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of("a1"));

    // A second client that has only v1 keeps a2 from being routed; its ACK of v2 routes it.
    routed.onV3StreamRequest(2, eds("", "", "a"));
    answer(1, "n2", "a");
    routed.onV3StreamRequest(1, eds("v2", "n2", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of());
    answer(2, "m1", "a");
    routed.onV3StreamRequest(2, eds("v1", "m1", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of("a1"));
    answer(2, "m2", "a");
    routed.onV3StreamRequest(2, eds("v2", "m2", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of("a1", "a2"));

    // A NACK changes nothing; a client that leaves no longer counts.
    answer(2, "m3", "a");
    routed.onV3StreamRequest(
        2,
        eds("v2", "m3", "a").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("no"))
            .build());
    assertThat(routed.routed()).containsEntry("a", Set.of("a1", "a2"));
    routed.onStreamClose(1, Resources.V3.ENDPOINT_TYPE_URL);
    routed.onStreamClose(2, Resources.V3.ENDPOINT_TYPE_URL);
    assertThat(routed.routed()).isEmpty();
    assertThat(written.getLast()).containsEntry("a", Set.of());
  }

  @Test
  void aClusterAddedToASubscriptionIsNotAcknowledgedByTheRequestThatAddsIt() {
    routed.published("v1", List.of(cluster("a", "a1"), cluster("b", "b1")));

    routed.onV3StreamRequest(1, eds("", "", "a"));
    answer(1, "n1", "a");
    routed.onV3StreamRequest(1, eds("v1", "n1", "a", "b"));

    // The answer acknowledged here carried a only.
    assertThat(routed.routed()).containsEntry("a", Set.of("a1")).containsEntry("b", Set.of());
    answer(1, "n2", "a", "b");
    routed.onV3StreamRequest(1, eds("v1", "n2", "a", "b"));
    assertThat(routed.routed()).containsEntry("b", Set.of("b1"));
  }

  @Test
  void aClusterAddedWhileAnAnswerWasOnItsWayIsNotAcknowledgedWithIt() {
    routed.published("v1", List.of(cluster("a", "a1"), cluster("b", "b1")));

    routed.onV3StreamRequest(1, eds("", "", "a"));
    answer(1, "n1", "a");
    // The client subscribes to b before the answer reaches it, then acknowledges that answer.
    routed.onV3StreamRequest(1, eds("", "", "a", "b"));
    routed.onV3StreamRequest(1, eds("v1", "n1", "a", "b"));

    assertThat(routed.routed()).containsEntry("a", Set.of("a1")).containsEntry("b", Set.of());
    answer(1, "n2", "a", "b");
    routed.onV3StreamRequest(1, eds("v1", "n2", "a", "b"));
    assertThat(routed.routed()).containsEntry("b", Set.of("b1"));
  }

  @Test
  void anAcknowledgementOfAnAnswerNeverSentCountsForNothing() {
    routed.published("v1", List.of(cluster("a", "a1")));

    routed.onV3StreamRequest(1, eds("", "", "a"));
    routed.onV3StreamRequest(1, eds("v1", "n9", "a"));

    assertThat(routed.routed()).containsEntry("a", Set.of());
  }

  @Test
  void aReconnectingClientStatesTheVersionItHas() {
    // After a restart of the control plane with unchanged state, the version is the same (it is
    // derived from the content) and the cache has nothing new to send, so no acknowledgement
    // follows: the first request of the new stream is all the client will say.
    routed.published("v1", List.of(cluster("a", "a1")));

    routed.onV3StreamRequest(7, eds("v1", "", "a"));

    assertThat(routed.routed()).containsEntry("a", Set.of("a1"));
    assertThat(written.getLast()).containsEntry("a", Set.of("a1"));
  }

  @Test
  void aVersionPublishedAfterAClientSaidItHasItCountsThen() {
    // The control plane restarted: Envoy reconnects before the first snapshot is built, and the
    // cache will not answer (same version), so no acknowledgement follows.
    routed.onV3StreamRequest(7, eds("v1", "", "a"));
    assertThat(routed.routed()).containsEntry("a", Set.of());

    routed.published("v1", List.of(cluster("a", "a1")));

    assertThat(routed.routed()).containsEntry("a", Set.of("a1"));
    assertThat(written.getLast()).containsEntry("a", Set.of("a1"));
  }

  @Test
  void aSetRedisDidNotTakeIsWrittenAgainAsItIsThenUntilItIsStored() {
    routed.published("v1", List.of(cluster("a", "a1"), cluster("b", "b1")));
    routed.published("v2", List.of(cluster("a", "a1", "a2"), cluster("b", "b1")));
    failing.add("a");

    routed.onV3StreamRequest(1, eds("", "", "a", "b"));
    answer(1, "n1", "a", "b");
    routed.onV3StreamRequest(1, eds("v1", "n1", "a", "b"));
    assertThat(written.getLast()).isEqualTo(Map.of("a", Set.of("a1"), "b", Set.of("b1")));

    // Still failing: tried again, the stored b is left alone.
    routed.retry();
    assertThat(written.getLast()).isEqualTo(Map.of("a", Set.of("a1")));

    // The set moved on while Redis was away: the retry writes it as it is now.
    answer(1, "n2", "a", "b");
    routed.onV3StreamRequest(1, eds("v2", "n2", "a", "b"));
    failing.clear();
    routed.retry();
    assertThat(written.getLast()).isEqualTo(Map.of("a", Set.of("a1", "a2")));

    int writes = written.size();
    routed.retry();
    assertThat(written).as("nothing left to retry").hasSize(writes);
  }

  @Test
  void onlyEndpointRequestsCount() {
    routed.published("v1", List.of(cluster("a", "a1")));

    routed.onV3StreamRequest(
        1, eds("v1", "n1", "a").toBuilder().setTypeUrl(Resources.V3.CLUSTER_TYPE_URL).build());

    assertThat(routed.routed()).isEmpty();
    assertThat(written).isEmpty();
  }
}
