package io.stoke.orchestrator.instances;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the liveness check of READY instances, under {@code stoke.liveness}.
 *
 * @param interval how often every READY instance's readiness path is asked
 * @param timeout how long one answer may take before it counts as a miss; at most the interval
 * @param failures consecutive misses after which the instance is replaced
 */
public record LivenessSettings(
    @DefaultValue("5s") Duration interval,
    @DefaultValue("2s") Duration timeout,
    @DefaultValue("3") int failures) {

  public static final int MAX_FAILURES = 100;

  public LivenessSettings {
    atLeastMillis("stoke.liveness.interval", interval, Duration.ofDays(1));
    atLeastMillis("stoke.liveness.timeout", timeout, interval);
    if (failures < 1 || failures > MAX_FAILURES) {
      throw new IllegalArgumentException(
          "stoke.liveness.failures = " + failures + ", must be in [1, " + MAX_FAILURES + "]");
    }
  }

  private static void atLeastMillis(String key, Duration value, Duration max) {
    if (value == null || value.toMillis() < 1 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key
              + " = "
              + (value == null ? "null" : value.toMillis() + "ms")
              + ", must be in [1ms, "
              + max.toMillis()
              + "ms]");
    }
  }
}
