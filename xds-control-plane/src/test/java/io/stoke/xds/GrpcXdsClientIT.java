package io.stoke.xds;

import static io.stoke.xds.Fixtures.function;
import static io.stoke.xds.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the snapshot is valid xDS for a client nobody here wrote: gRPC's own xDS client resolves
 * {@code xds:///stoke-grpc} through LDS → RDS → CDS → EDS from our ADS server and makes real calls
 * to real gRPC backends registered as instances in a real redis-server.
 *
 * <p>The function is named {@code probe}, and the backends serve a gRPC service named {@code probe}
 * (no package), so calls go to {@code /probe/Whoami}: the function's ordinary prefix route {@code
 * /probe/} carries them with no gRPC-specific route. Function names cannot hold dots, so a packaged
 * service ({@code /pkg.Service/...}) would need its own route; none is needed here.
 */
class GrpcXdsClientIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<String, String> WHOAMI =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("probe", "Whoami"))
          .setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT)
          .build();

  /** A gRPC backend that answers Whoami with its instance id. */
  private static Server backend(String instanceId) throws IOException {
    var service =
        ServerServiceDefinition.builder("probe")
            .addMethod(
                WHOAMI,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      response.onNext(instanceId);
                      response.onCompleted();
                    }))
            .build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service)
        .build()
        .start();
  }

  private static Optional<String> whoami(ManagedChannel channel) {
    try {
      return Optional.of(
          ClientCalls.blockingUnaryCall(
              channel, WHOAMI, CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), "hi"));
    } catch (StatusRuntimeException notYet) {
      return Optional.empty();
    }
  }

  private static Set<String> answersOf(ManagedChannel channel, int calls) {
    var seen = new HashSet<String>();
    for (int i = 0; i < calls; i++) {
      seen.add(whoami(channel).orElse("<failed>"));
    }
    return seen;
  }

  private static Instance at(String id, Server backend, InstanceState state) {
    return instance(id, "probe", "127.0.0.1", backend.getPort(), state);
  }

  private static Set<String> routed(ControlPlaneHarness controlPlane, String function) {
    return controlPlane.redis.smembers(RedisKeys.routed(function));
  }

  @Test
  void grpcsXdsClientRoutesRealCallsToTheRegisteredInstancesAndNeverNacks() throws Exception {
    var functions =
        new FunctionDefinitions(
            List.of(
                function("probe", LoadBalancing.ROUND_ROBIN, 10, 10, Duration.ofSeconds(30)),
                function("hello")));
    Server first = backend("p1");
    Server second = backend("p2");
    try (var controlPlane = ControlPlaneHarness.start(functions)) {
      // The bootstrap is read when the first xDS channel is built; GRPC_XDS_BOOTSTRAP cannot be
      // set from inside the JVM, the system property can.
      System.setProperty(
          "io.grpc.xds.bootstrapConfig",
          """
          {
            "xds_servers": [{
              "server_uri": "127.0.0.1:%d",
              "channel_creds": [{"type": "insecure"}],
              "server_features": ["xds_v3"]
            }],
            "node": {"id": "grpc-client-1", "cluster": "stoke-grpc-clients"}
          }
          """
              .formatted(controlPlane.port()));
      controlPlane.put(at("p1", first, InstanceState.READY), InstanceEvent.Type.READY);
      var channel =
          Grpc.newChannelBuilder("xds:///stoke-grpc", InsecureChannelCredentials.create()).build();
      try {
        await("calls reach p1").atMost(WAIT).until(() -> whoami(channel).equals(Optional.of("p1")));
        // The client acknowledged the endpoints it routes on: the gateway may send to p1 now.
        await("p1 is marked routed")
            .atMost(WAIT)
            .until(() -> routed(controlPlane, "probe"), is(Set.of("p1")));

        controlPlane.put(at("p2", second, InstanceState.READY), InstanceEvent.Type.READY);
        await("calls reach the new instance p2 too")
            .atMost(WAIT)
            .until(() -> answersOf(channel, 10).containsAll(Set.of("p1", "p2")));
        await().atMost(WAIT).until(() -> routed(controlPlane, "probe"), is(Set.of("p1", "p2")));

        controlPlane.put(at("p1", first, InstanceState.DRAINING), InstanceEvent.Type.DRAINING);
        await("a draining instance gets no new calls")
            .atMost(WAIT)
            .until(() -> answersOf(channel, 20).equals(Set.of("p2")));
        await().atMost(WAIT).until(() -> routed(controlPlane, "probe"), is(Set.of("p2")));

        controlPlane.put(at("p1", first, InstanceState.READY), InstanceEvent.Type.READY);
        controlPlane.remove(at("p2", second, InstanceState.READY));
        await("a removed instance gets no calls")
            .atMost(WAIT)
            .until(() -> answersOf(channel, 20).equals(Set.of("p1")));

        await().atMost(WAIT).until(() -> routed(controlPlane, "probe"), is(Set.of("p1")));
        // It never asked for hello's cluster, so it has no say about hello.
        assertThat(controlPlane.redis.exists(RedisKeys.routed("hello"))).isFalse();

        assertThat(controlPlane.stats.nacks()).as("gRPC accepted every resource").isZero();
        assertThat(controlPlane.stats.responses()).isGreaterThanOrEqualTo(4);

        // A client that goes away no longer counts: nothing is routed without one.
        channel.shutdownNow();
        await("the closed stream is forgotten")
            .atMost(WAIT)
            .until(() -> routed(controlPlane, "probe"), is(Set.<String>of()));
      } finally {
        channel.shutdownNow();
      }
    } finally {
      first.shutdownNow();
      second.shutdownNow();
      System.clearProperty("io.grpc.xds.bootstrapConfig");
    }
  }
}
