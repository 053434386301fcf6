package io.stoke.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the ADS streams: counts streams, responses and NACKs, and logs every NACK with the
 * client's error detail so a rejected snapshot is never silent.
 */
public final class DiscoveryStats implements DiscoveryServerCallbacks {

  private static final Logger log = LoggerFactory.getLogger(DiscoveryStats.class);

  private final AtomicLong openStreams = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong responses = new AtomicLong();
  private final AtomicLong nacks = new AtomicLong();
  private final AtomicReference<Nack> lastNack = new AtomicReference<>();

  /**
   * One rejected response.
   *
   * @param node the client's node id
   * @param typeUrl the rejected resource type
   * @param nonce the nonce of the rejected response
   * @param keptVersion the version the client keeps using
   * @param error the client's error detail message
   */
  public record Nack(String node, String typeUrl, String nonce, String keptVersion, String error) {}

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    openStreams.incrementAndGet();
    log.debug("ADS stream {} opened", streamId);
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    openStreams.decrementAndGet();
    log.debug("ADS stream {} closed", streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    openStreams.decrementAndGet();
    log.debug("ADS stream {} closed with {}", streamId, error.toString());
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    requests.incrementAndGet();
    if (request.hasErrorDetail()) {
      var nack =
          new Nack(
              request.getNode().getId(),
              request.getTypeUrl(),
              request.getResponseNonce(),
              request.getVersionInfo(),
              request.getErrorDetail().getMessage());
      nacks.incrementAndGet();
      lastNack.set(nack);
      log.warn(
          "NACK on stream {} from node '{}' for {} (nonce {}, keeps version '{}'): {}",
          streamId,
          nack.node(),
          nack.typeUrl(),
          nack.nonce(),
          nack.keptVersion(),
          nack.error());
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    requests.incrementAndGet();
    if (request.hasErrorDetail()) {
      nacks.incrementAndGet();
      lastNack.set(
          new Nack(
              request.getNode().getId(),
              request.getTypeUrl(),
              request.getResponseNonce(),
              "",
              request.getErrorDetail().getMessage()));
      log.warn(
          "NACK on delta stream {} for {}: {}",
          streamId,
          request.getTypeUrl(),
          request.getErrorDetail().getMessage());
    }
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    responses.incrementAndGet();
  }

  public long openStreams() {
    return openStreams.get();
  }

  public long requests() {
    return requests.get();
  }

  public long responses() {
    return responses.get();
  }

  public long nacks() {
    return nacks.get();
  }

  public Optional<Nack> lastNack() {
    return Optional.ofNullable(lastNack.get());
  }
}
