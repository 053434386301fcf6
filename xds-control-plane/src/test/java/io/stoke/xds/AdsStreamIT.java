package io.stoke.xds;

import static io.stoke.xds.Fixtures.function;
import static io.stoke.xds.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Speaks raw ADS to the real control plane fed by a real redis-server, as Envoy would. */
class AdsStreamIT {

  private static final Duration WAIT = Duration.ofSeconds(5);

  /** How long we listen to be sure nothing more is sent. */
  private static final Duration QUIET = Duration.ofMillis(400);

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
  private static final String LDS = Resources.V3.LISTENER_TYPE_URL;
  private static final String RDS = Resources.V3.ROUTE_TYPE_URL;
  private static final List<String> CLUSTERS = List.of("fn_echo", "fn_hello");
  private static final List<String> ROUTES = List.of(SnapshotTranslator.ROUTES);

  private ControlPlaneHarness controlPlane;

  @BeforeEach
  void start() {
    controlPlane =
        ControlPlaneHarness.start(
            new FunctionDefinitions(
                List.of(
                    function("echo", LoadBalancing.ROUND_ROBIN, 0, 10, Duration.ofSeconds(30)),
                    function("hello"))));
    controlPlane.put(instance("e1", "echo", 30001, InstanceState.READY), InstanceEvent.Type.READY);
    await().atMost(WAIT).until(() -> endpointsOf("fn_echo") == 1);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  private long endpointsOf(String cluster) {
    return controlPlane.publisher.current().stream()
        .flatMap(s -> s.endpoints().stream())
        .filter(e -> e.getClusterName().equals(cluster))
        .flatMap(e -> e.getEndpointsList().stream())
        .mapToLong(l -> l.getLbEndpointsCount())
        .sum();
  }

  /** Subscribes to all four types like Envoy (CDS, EDS, LDS, RDS), ACKing each. */
  private List<DiscoveryResponse> subscribeAndAckAll(AdsStream stream) throws Exception {
    stream.subscribe(CDS, List.of());
    var cds = stream.next(WAIT);
    stream.ack(cds, List.of());
    stream.subscribe(EDS, CLUSTERS);
    var eds = stream.next(WAIT);
    stream.ack(eds, CLUSTERS);
    stream.subscribe(LDS, List.of());
    var lds = stream.next(WAIT);
    stream.ack(lds, List.of());
    stream.subscribe(RDS, ROUTES);
    var rds = stream.next(WAIT);
    stream.ack(rds, ROUTES);
    return List.of(cds, eds, lds, rds);
  }

  @Test
  void servesEveryTypeWithItsVersionAndANonceAndSendsNothingMoreAfterAcks() throws Exception {
    var versions = controlPlane.publisher.current().orElseThrow().versions();
    try (var stream = new AdsStream(controlPlane.port(), "envoy-1")) {
      var responses = subscribeAndAckAll(stream);

      assertThat(responses)
          .extracting(DiscoveryResponse::getTypeUrl)
          .containsExactly(CDS, EDS, LDS, RDS);
      assertThat(responses)
          .extracting(DiscoveryResponse::getVersionInfo)
          .containsExactly(
              versions.clusters(), versions.endpoints(), versions.listeners(), versions.routes());
      assertThat(responses).allSatisfy(r -> assertThat(r.getNonce()).isNotEmpty());
      assertThat(responses.get(0).getResourcesCount()).isEqualTo(2);
      assertThat(responses.get(1).getResourcesCount()).isEqualTo(2);
      assertThat(responses.get(2).getResourcesCount()).as("stoke_http and stoke-grpc").isEqualTo(2);
      assertThat(responses.get(3).getResourcesCount()).isEqualTo(1);
      assertThat(stream.poll(QUIET)).as("nothing is resent after ACKs").isNull();
      assertThat(controlPlane.stats.nacks()).isZero();
    }
  }

  @Test
  void countsAndKeepsTheDetailOfANack() throws Exception {
    try (var stream = new AdsStream(controlPlane.port(), "envoy-nack")) {
      stream.subscribe(CDS, List.of());
      var cds = stream.next(WAIT);

      stream.nack(cds, "", List.of(), "cluster fn_echo: invalid thing");

      await().atMost(WAIT).until(() -> controlPlane.stats.nacks() == 1);
      var nack = controlPlane.stats.lastNack().orElseThrow();
      assertThat(nack.error()).isEqualTo("cluster fn_echo: invalid thing");
      assertThat(nack.typeUrl()).isEqualTo(CDS);
      assertThat(nack.node()).isEqualTo("envoy-nack");
      assertThat(nack.nonce()).isEqualTo(cds.getNonce());
    }
  }

  @Test
  void aRegistryChangePushesANewEndpointVersionOnly() throws Exception {
    try (var stream = new AdsStream(controlPlane.port(), "envoy-2")) {
      var before = subscribeAndAckAll(stream);

      // echo has unlimited concurrency: a second READY instance changes the endpoints only.
      controlPlane.put(
          instance("e2", "echo", 30002, InstanceState.READY), InstanceEvent.Type.READY);

      var pushed = stream.next(WAIT);
      assertThat(pushed.getTypeUrl()).isEqualTo(EDS);
      assertThat(pushed.getVersionInfo()).isNotEqualTo(before.get(1).getVersionInfo());
      var echo =
          pushed.getResourcesList().stream()
              .map(any -> unpack(any))
              .filter(a -> a.getClusterName().equals("fn_echo"))
              .findFirst()
              .orElseThrow();
      assertThat(echo.getEndpoints(0).getLbEndpointsList())
          .extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getPortValue())
          .containsExactly(30001, 30002);
      stream.ack(pushed, CLUSTERS);
      assertThat(stream.poll(QUIET)).as("CDS, LDS and RDS did not change").isNull();
    }
  }

  private static ClusterLoadAssignment unpack(com.google.protobuf.Any any) {
    try {
      return any.unpack(ClusterLoadAssignment.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aClientThatReconnectsGetsTheCurrentSnapshot() throws Exception {
    try (var first = new AdsStream(controlPlane.port(), "envoy-3")) {
      subscribeAndAckAll(first);
    }
    controlPlane.put(
        instance("e2", "echo", 30002, InstanceState.DRAINING), InstanceEvent.Type.DRAINING);
    await().atMost(WAIT).until(() -> endpointsOf("fn_echo") == 2);
    var current = controlPlane.publisher.current().orElseThrow().versions();

    try (var again = new AdsStream(controlPlane.port(), "envoy-3")) {
      var responses = subscribeAndAckAll(again);

      assertThat(responses)
          .extracting(DiscoveryResponse::getVersionInfo)
          .containsExactly(
              current.clusters(), current.endpoints(), current.listeners(), current.routes());
    }
  }

  @Test
  void aRestartedControlPlaneRebuildsTheSameVersionsFromRedis() {
    var served = controlPlane.publisher.current().orElseThrow().versions();
    var restarted =
        new SnapshotPublisher(
            new RedisClusterState(controlPlane.redis),
            new SnapshotTranslator(TranslatorSettings.DEFAULT),
            new io.envoyproxy.controlplane.cache.v3.SimpleCache<>(node -> "stoke"),
            "stoke",
            Duration.ofMillis(30));
    try (restarted) {
      assertThat(restarted.resync().versions()).isEqualTo(served);
    }
  }
}
