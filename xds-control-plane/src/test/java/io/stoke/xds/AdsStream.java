package io.stoke.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw ADS (state of the world) stream, speaking to the control plane as Envoy does. */
final class AdsStream implements AutoCloseable {

  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final Node node;

  AdsStream(int port, String nodeId) {
    this.channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
    this.node = Node.newBuilder().setId(nodeId).setCluster("stoke-envoy").build();
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    responses.add(response);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
  }

  /** A first request (no version, no nonce) for {@code names} of {@code typeUrl}. */
  void subscribe(String typeUrl, List<String> names) {
    send(DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).addAllResourceNames(names));
  }

  /** Accepts {@code response}: its version and nonce, the same names. */
  void ack(DiscoveryResponse response, List<String> names) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(names));
  }

  /** Rejects {@code response}, keeping {@code keptVersion}. */
  void nack(DiscoveryResponse response, String keptVersion, List<String> names, String error) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(keptVersion)
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(names)
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(error)));
  }

  private void send(DiscoveryRequest.Builder request) {
    synchronized (requests) {
      requests.onNext(request.setNode(node).build());
    }
  }

  /** The next response, failing when none arrives within {@code timeout}. */
  DiscoveryResponse next(Duration timeout) throws InterruptedException {
    var response = responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (response == null) {
      throw new AssertionError("no response within " + timeout);
    }
    return response;
  }

  /** The next response within {@code timeout}, or null: for asserting that nothing is sent. */
  DiscoveryResponse poll(Duration timeout) throws InterruptedException {
    return responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      requests.onCompleted();
    } catch (RuntimeException alreadyClosed) {
      // the stream may already be gone; closing the channel is what matters
    }
    channel.shutdownNow();
  }
}
