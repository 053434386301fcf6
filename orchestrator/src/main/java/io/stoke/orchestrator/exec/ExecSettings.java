package io.stoke.orchestrator.exec;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the exec workers, under {@code stoke.exec}.
 *
 * @param enabled whether this orchestrator runs exec activations
 * @param maxParallel activations this orchestrator runs at once (the platform-wide and per-function
 *     admission limits are the api-server's)
 * @param recordRetention how long activation records are kept
 * @param recordsPerFunction how many recent activation ids are kept per function
 * @param logTailBytes how much of the end of stderr an activation record keeps
 * @param pullTimeout how long an image check may pull a missing image
 */
public record ExecSettings(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("16") int maxParallel,
    @DefaultValue("24h") Duration recordRetention,
    @DefaultValue("100") int recordsPerFunction,
    @DefaultValue("4096") int logTailBytes,
    @DefaultValue("60s") Duration pullTimeout) {

  public ExecSettings {
    inRange("stoke.exec.max-parallel", maxParallel, 1, 10_000);
    inRange("stoke.exec.records-per-function", recordsPerFunction, 1, 100_000);
    inRange("stoke.exec.log-tail-bytes", logTailBytes, 0, 1 << 20);
    if (recordRetention == null || recordRetention.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "stoke.exec.record-retention = " + recordRetention + ", must be at least 1s");
    }
    if (pullTimeout == null || pullTimeout.isNegative() || pullTimeout.isZero()) {
      throw new IllegalArgumentException(
          "stoke.exec.pull-timeout = " + pullTimeout + ", must be positive");
    }
  }

  private static void inRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }
}
