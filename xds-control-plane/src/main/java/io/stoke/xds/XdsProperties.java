package io.stoke.xds;

import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The control plane's settings, under the prefix {@code stoke.xds}.
 *
 * @param port the ADS gRPC port
 * @param bind the address the ADS gRPC server binds: loopback unless Envoy runs elsewhere (compose
 *     sets 0.0.0.0 inside its network); an IP literal, so a typo fails at start, not at bind
 * @param group the node group every Envoy and xDS client shares
 * @param debounce how long registry events are collected before one rebuild
 * @param resyncInterval how often the whole state is re-read regardless of events
 * @param listenerAddress the address Envoy's HTTP listener binds
 * @param listenerPort the port Envoy's HTTP listener binds
 * @param apiListenerName the listener name gRPC xDS clients dial as {@code xds:///<name>}
 * @param connectTimeout Envoy's connect timeout to function instances
 */
@ConfigurationProperties("stoke.xds")
public record XdsProperties(
    @DefaultValue("18000") int port,
    @DefaultValue("127.0.0.1") String bind,
    @DefaultValue("stoke") String group,
    @DefaultValue("30ms") Duration debounce,
    @DefaultValue("30s") Duration resyncInterval,
    @DefaultValue("0.0.0.0") String listenerAddress,
    @DefaultValue("10000") int listenerPort,
    @DefaultValue("stoke-grpc") String apiListenerName,
    @DefaultValue("2s") Duration connectTimeout) {

  public XdsProperties {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("stoke.xds.port = " + port + ", must be in [0, 65535]");
    }
    if (!isIpLiteral(bind)) {
      throw new IllegalArgumentException(
          "stoke.xds.bind = '"
              + bind
              + "', must be an IP address such as 127.0.0.1 (loopback), 0.0.0.0 or ::");
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("stoke.xds.group = '', must not be blank");
    }
    if (debounce == null || debounce.isNegative()) {
      throw new IllegalArgumentException(
          "stoke.xds.debounce = " + debounce + ", must be zero or positive");
    }
    if (resyncInterval == null || resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException(
          "stoke.xds.resync-interval = " + resyncInterval + ", must be positive");
    }
  }

  /** The address the ADS server listens on. */
  public InetSocketAddress adsAddress() {
    return new InetSocketAddress(InetAddresses.forString(bind), port);
  }

  private static boolean isIpLiteral(String address) {
    return address != null && InetAddresses.isInetAddress(address);
  }

  /** The translator's part of these settings (validated there). */
  public TranslatorSettings translatorSettings() {
    return new TranslatorSettings(listenerAddress, listenerPort, apiListenerName, connectTimeout);
  }
}
