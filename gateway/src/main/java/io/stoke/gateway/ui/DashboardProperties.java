package io.stoke.gateway.ui;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings under {@code stoke.dashboard.*}; application.yml documents each one.
 *
 * @param history how much of each function's series the function page shows
 * @param health the other services' health endpoints shown on the platform page, by service name
 */
@ConfigurationProperties("stoke.dashboard")
public record DashboardProperties(
    @DefaultValue("5m") Duration history, @DefaultValue Map<String, URI> health) {

  /** One sample a second: the live pages update every second. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);

  public DashboardProperties {
    Objects.requireNonNull(history, "stoke.dashboard.history");
    if (history.compareTo(Duration.ofSeconds(10)) < 0
        || history.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "stoke.dashboard.history = " + history + ", must be in [10s, 1h]");
    }
    health = health == null ? Map.of() : Map.copyOf(health);
    health.forEach(
        (name, url) -> {
          if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                "stoke.dashboard.health." + name + " = " + url + ", must be an http(s) URL");
          }
        });
  }

  /** Samples kept per function. */
  int samples() {
    return (int) (history.toSeconds() / SAMPLE_INTERVAL.toSeconds());
  }
}
