package io.stoke.xds;

import java.time.Duration;
import java.util.Objects;

/**
 * What the translator needs beyond the functions and instances: where Envoy listens and how the
 * gRPC clients' listener is named.
 *
 * @param listenerAddress the address Envoy's HTTP listener binds
 * @param listenerPort the port Envoy's HTTP listener binds
 * @param apiListenerName the name of the {@code api_listener} form of the routes; gRPC xDS clients
 *     dial {@code xds:///<apiListenerName>}
 * @param connectTimeout how long Envoy waits for a TCP connection to an instance
 */
public record TranslatorSettings(
    String listenerAddress, int listenerPort, String apiListenerName, Duration connectTimeout) {

  public static final TranslatorSettings DEFAULT =
      new TranslatorSettings("0.0.0.0", 10000, "stoke-grpc", Duration.ofSeconds(2));

  public TranslatorSettings {
    Objects.requireNonNull(listenerAddress, "stoke.xds.listener-address");
    if (listenerPort < 1 || listenerPort > 65535) {
      throw new IllegalArgumentException(
          "stoke.xds.listener-port = " + listenerPort + ", must be in [1, 65535]");
    }
    if (apiListenerName == null
        || apiListenerName.isBlank()
        || apiListenerName.equals(SnapshotTranslator.LISTENER)) {
      throw new IllegalArgumentException(
          "stoke.xds.api-listener-name = '"
              + apiListenerName
              + "', must be non-blank and differ from "
              + SnapshotTranslator.LISTENER);
    }
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException(
          "stoke.xds.connect-timeout = " + connectTimeout + ", must be positive");
    }
  }
}
