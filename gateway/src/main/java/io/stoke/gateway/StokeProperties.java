package io.stoke.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's settings under {@code stoke.*}; application.yml documents each one.
 *
 * @param redisUrl where the registry, catalog and streams live
 * @param gateway the data-path settings
 * @param api where the management API (api-server) is and how the gateway proves itself to it
 * @param cache the result cache of functions declared pure
 */
@ConfigurationProperties("stoke")
public record StokeProperties(
    @DefaultValue("redis://127.0.0.1:6379") URI redisUrl,
    @DefaultValue Gateway gateway,
    @DefaultValue Api api,
    @DefaultValue io.stoke.gateway.cache.CacheSettings cache) {

  public StokeProperties {
    Objects.requireNonNull(redisUrl, "stoke.redis-url");
    if (!"redis".equals(redisUrl.getScheme()) && !"rediss".equals(redisUrl.getScheme())) {
      throw new IllegalArgumentException(
          "stoke.redis-url = " + redisUrl + ", must be a redis:// or rediss:// URL");
    }
    Objects.requireNonNull(cache, "stoke.cache");
  }

  /**
   * @param url the api-server: {@code /api/**} and exec-function calls go there
   * @param internalSecret sent with the authenticated user; empty = shared through Redis
   */
  public record Api(
      @DefaultValue("http://127.0.0.1:8083") URI url, @DefaultValue("") String internalSecret) {
    public Api {
      Objects.requireNonNull(url, "stoke.api.url");
    }
  }

  /** Where function requests go. */
  public enum Mode {
    /** The gateway balances across READY instances itself. */
    DIRECT,
    /** Everything goes to Envoy's listener, which balances with xDS-fed clusters. */
    ENVOY
  }

  /**
   * @param mode direct or envoy
   * @param envoyUrl Envoy's listener, used in envoy mode
   * @param maxBodySize larger request bodies get 413
   * @param resyncInterval full registry re-read, the safety net behind events
   * @param activityFlushInterval how often dirty instance activity is written to Redis
   * @param demandInterval at most one demand signal per function per this interval
   * @param connectTimeout connecting to an instance; a failure is retried on another instance
   * @param metricsToken bearer token for the management endpoints other than health and info
   *     (empty: they are closed)
   * @param ioSpin how long an event loop keeps polling for the next events before it blocks (see
   *     {@link io.stoke.gateway.SpinningEventLoops}); 0 keeps Reactor Netty's own loops
   * @param requestHeadTimeout a connection whose request head is not in whole this long after the
   *     connection opened (or after its first byte, for later requests) is answered 408 and closed
   * @param maxConnectionsPerClient connections one client address may hold open; more are closed at
   *     once
   */
  public record Gateway(
      @DefaultValue("direct") Mode mode,
      @DefaultValue("http://127.0.0.1:10000") URI envoyUrl,
      @DefaultValue("6MB") DataSize maxBodySize,
      @DefaultValue("2s") Duration resyncInterval,
      @DefaultValue("100ms") Duration activityFlushInterval,
      @DefaultValue("200ms") Duration demandInterval,
      @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("") String metricsToken,
      @DefaultValue("200us") Duration ioSpin,
      @DefaultValue("10s") Duration requestHeadTimeout,
      @DefaultValue("256") int maxConnectionsPerClient) {

    /** Longer spins would burn a core for little: a wake-up costs tens of microseconds. */
    static final Duration MAX_IO_SPIN = Duration.ofMillis(1);

    /** More than a process can usually open (file descriptors): a larger cap would be no cap. */
    static final int MAX_CONNECTIONS_PER_CLIENT = 1_000_000;

    public Gateway {
      Objects.requireNonNull(mode, "stoke.gateway.mode");
      Objects.requireNonNull(envoyUrl, "stoke.gateway.envoy-url");
      if (maxBodySize.toBytes() < 0) {
        throw new IllegalArgumentException(
            "stoke.gateway.max-body-size = " + maxBodySize + ", must not be negative");
      }
      positive("stoke.gateway.resync-interval", resyncInterval);
      positive("stoke.gateway.activity-flush-interval", activityFlushInterval);
      positive("stoke.gateway.demand-interval", demandInterval);
      positive("stoke.gateway.connect-timeout", connectTimeout);
      positive("stoke.gateway.request-head-timeout", requestHeadTimeout);
      if (maxConnectionsPerClient < 1 || maxConnectionsPerClient > MAX_CONNECTIONS_PER_CLIENT) {
        throw new IllegalArgumentException(
            "stoke.gateway.max-connections-per-client = "
                + maxConnectionsPerClient
                + ", must be in [1, "
                + MAX_CONNECTIONS_PER_CLIENT
                + "]");
      }
      if (ioSpin == null || ioSpin.isNegative() || ioSpin.compareTo(MAX_IO_SPIN) > 0) {
        throw new IllegalArgumentException(
            "stoke.gateway.io-spin = "
                + ioSpin
                + ", must be between 0 (loops block at once) and "
                + MAX_IO_SPIN.toNanos() / 1000
                + "us");
      }
      if (!"http".equals(envoyUrl.getScheme()) || envoyUrl.getHost() == null) {
        throw new IllegalArgumentException(
            "stoke.gateway.envoy-url = " + envoyUrl + ", must be http://host:port");
      }
    }

    /** Envoy's listener address. */
    public java.net.InetSocketAddress envoyAddress() {
      // Unresolved: resolved when a connection is opened, so a moved Envoy is found again.
      int port = envoyUrl.getPort() < 0 ? 80 : envoyUrl.getPort();
      return java.net.InetSocketAddress.createUnresolved(envoyUrl.getHost(), port);
    }

    /** {@code host:port} of Envoy's listener, as a request's Host header. */
    public String envoyHost() {
      return envoyUrl.getPort() < 0
          ? envoyUrl.getHost()
          : envoyUrl.getHost() + ":" + envoyUrl.getPort();
    }

    private static void positive(String key, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(key + " = " + value + ", must be positive");
      }
    }
  }
}
