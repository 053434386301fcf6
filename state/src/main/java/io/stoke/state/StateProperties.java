package io.stoke.state;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the state service ({@code stoke.state.*}).
 *
 * @param port TCP port of the HTTP API (0 = any free port)
 * @param bind address the TCP port binds to
 * @param limits size limits
 * @param reapInterval how often sessions past their deadline are expired
 * @param minSessionTimeout shortest session timeout a client may ask for
 * @param maxSessionTimeout longest session timeout a client may ask for
 * @param maxWait longest long-poll of a session's events
 * @param socketRoot folder of the per-function Unix sockets ({@code <fn>/state.sock}); empty = none
 */
@ConfigurationProperties("stoke.state")
public record StateProperties(
    Integer port,
    String bind,
    StateLimits limits,
    Duration reapInterval,
    Duration minSessionTimeout,
    Duration maxSessionTimeout,
    Duration maxWait,
    String socketRoot) {

  public StateProperties {
    port = port == null ? 8084 : port;
    bind = bind == null ? "127.0.0.1" : bind;
    limits = limits == null ? StateLimits.defaults() : limits;
    reapInterval = reapInterval == null ? Duration.ofMillis(200) : reapInterval;
    minSessionTimeout = minSessionTimeout == null ? Duration.ofMillis(500) : minSessionTimeout;
    maxSessionTimeout = maxSessionTimeout == null ? Duration.ofMinutes(2) : maxSessionTimeout;
    maxWait = maxWait == null ? Duration.ofSeconds(60) : maxWait;
    socketRoot = socketRoot == null ? "" : socketRoot.strip();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("stoke.state.port = " + port + ", must be in [0, 65535]");
    }
    positive("reap-interval", reapInterval);
    positive("min-session-timeout", minSessionTimeout);
    positive("max-wait", maxWait);
    if (maxSessionTimeout.compareTo(minSessionTimeout) < 0) {
      throw new IllegalArgumentException(
          "stoke.state.max-session-timeout = "
              + maxSessionTimeout
              + ", must be at least stoke.state.min-session-timeout = "
              + minSessionTimeout);
    }
  }

  private static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("stoke.state." + key + " = " + value + ", must be > 0");
    }
  }
}
