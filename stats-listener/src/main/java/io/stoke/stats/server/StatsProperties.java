package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the stats listener, {@code stoke.stats.*}.
 *
 * @param port UDP port of the public StatsD server (Envoy); 0 picks a free one
 * @param bind address the public UDP socket binds to
 * @param gatewayPort UDP port reserved for the gateway's load reports: a socket of its own, so a
 *     flood at the public port cannot fill its kernel buffer; 0 picks a free one
 * @param gatewayBind address the gateway's UDP socket binds to
 * @param receiveBufferBytes requested kernel receive buffer of each socket (the kernel caps it at
 *     net.core.rmem_max; the granted size is logged)
 * @param window aggregation window of {@code stoke:load:{fn}}
 * @param debounce least time between two scale signals of one function
 * @param loadTtl how long {@code stoke:load:{fn}} lives after its last write
 * @param gaugeExpiry a gauge not refreshed for this long no longer counts
 * @param limits bounds that keep a hostile sender from exhausting the listener
 */
@ConfigurationProperties("stoke.stats")
public record StatsProperties(
    @DefaultValue("8125") int port,
    @DefaultValue("0.0.0.0") String bind,
    @DefaultValue("8126") int gatewayPort,
    @DefaultValue("127.0.0.1") String gatewayBind,
    @DefaultValue("8388608") int receiveBufferBytes,
    @DefaultValue("1s") Duration window,
    @DefaultValue("250ms") Duration debounce,
    @DefaultValue("10s") Duration loadTtl,
    @DefaultValue("10s") Duration gaugeExpiry,
    @DefaultValue Limits limits) {

  public StatsProperties {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("stoke.stats.port = " + port + ", must be in [0, 65535]");
    }
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("stoke.stats.bind = '" + bind + "', must be an address");
    }
    if (gatewayPort < 0 || gatewayPort > 65_535 || (gatewayPort == port && port != 0)) {
      throw new IllegalArgumentException(
          "stoke.stats.gateway-port = "
              + gatewayPort
              + ", must be in [0, 65535] and differ from stoke.stats.port ("
              + port
              + ")");
    }
    if (gatewayBind == null || gatewayBind.isBlank()) {
      throw new IllegalArgumentException(
          "stoke.stats.gateway-bind = '" + gatewayBind + "', must be an address");
    }
    if (receiveBufferBytes < 65_536 || receiveBufferBytes > 268_435_456) {
      throw new IllegalArgumentException(
          "stoke.stats.receive-buffer-bytes = "
              + receiveBufferBytes
              + ", must be in [65536, 268435456]");
    }
    if (loadTtl == null || window == null || loadTtl.compareTo(window.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "stoke.stats.load-ttl = " + loadTtl + ", must be at least twice stoke.stats.window");
    }
  }

  /**
   * Bounds, {@code stoke.stats.limits.*}; see {@link IngestSettings} for each.
   *
   * @param sourceIdle a silent sender may lose its rate bucket to a new one after this long
   */
  public record Limits(
      @DefaultValue("65507") int maxDatagramBytes,
      @DefaultValue("4096") int maxLineLength,
      @DefaultValue("1000") int maxFunctions,
      @DefaultValue("10000") int maxSeries,
      @DefaultValue("1024") int maxSources,
      @DefaultValue("50000") int linesPerSecondPerSource,
      @DefaultValue("100000") int burstLines,
      @DefaultValue("60s") Duration sourceIdle) {}

  /** The ingest path's settings; fails with the offending {@code stoke.stats.*} key. */
  public IngestSettings ingestSettings() {
    try {
      return new IngestSettings(
          limits.maxDatagramBytes(),
          limits.maxLineLength(),
          limits.maxFunctions(),
          limits.maxSeries(),
          limits.maxSources(),
          limits.linesPerSecondPerSource(),
          limits.burstLines(),
          window,
          debounce,
          gaugeExpiry,
          limits.sourceIdle());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stoke.stats: " + e.getMessage(), e);
    }
  }
}
