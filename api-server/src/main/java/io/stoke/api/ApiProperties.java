package io.stoke.api;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The api-server's settings under {@code stoke.*}; application.yml documents each one.
 *
 * @param redisUrl Redis holding users, keys, functions, the activation stream and records
 * @param internalSecret the secret the gateway proves itself with; blank = shared through Redis
 * @param orchestratorUrl the orchestrator's HTTP port, asked whether an image is available
 * @param maxBodySize larger request bodies get 413
 * @param registrationsPerMinute user registrations and token creations per client per minute
 * @param exec the limits of exec activations
 */
@ConfigurationProperties("stoke")
public record ApiProperties(
    @DefaultValue("redis://127.0.0.1:6379") URI redisUrl,
    @DefaultValue("") String internalSecret,
    @DefaultValue("http://127.0.0.1:8081") URI orchestratorUrl,
    @DefaultValue("1MB") DataSize maxBodySize,
    @DefaultValue("10") int registrationsPerMinute,
    @DefaultValue Exec exec) {

  public ApiProperties {
    Objects.requireNonNull(redisUrl, "stoke.redis-url");
    Objects.requireNonNull(orchestratorUrl, "stoke.orchestrator-url");
    internalSecret = internalSecret == null ? "" : internalSecret.strip();
    if (registrationsPerMinute < 1 || registrationsPerMinute > 100_000) {
      throw new IllegalArgumentException(
          "stoke.registrations-per-minute = "
              + registrationsPerMinute
              + ", must be in [1, 100000]");
    }
  }

  /**
   * @param maxParallel exec activations in flight platform-wide; the excess gets 429 at once
   * @param maxParallelPerFunction default per-function limit of user functions
   * @param maxOutput stdout beyond this fails the activation
   * @param defaultTimeout a user function's timeout when it gives none
   * @param maxTimeout the longest timeout a user function may ask for
   */
  public record Exec(
      @DefaultValue("16") int maxParallel,
      @DefaultValue("8") int maxParallelPerFunction,
      @DefaultValue("1MB") DataSize maxOutput,
      @DefaultValue("30s") Duration defaultTimeout,
      @DefaultValue("5m") Duration maxTimeout) {

    public Exec {
      if (maxParallel < 1 || maxParallel > 100_000) {
        throw new IllegalArgumentException(
            "stoke.exec.max-parallel = " + maxParallel + ", must be in [1, 100000]");
      }
      if (maxParallelPerFunction < 1 || maxParallelPerFunction > maxParallel) {
        throw new IllegalArgumentException(
            "stoke.exec.max-parallel-per-function = "
                + maxParallelPerFunction
                + ", must be in [1, "
                + maxParallel
                + "]");
      }
      if (maxOutput.toBytes() < 1) {
        throw new IllegalArgumentException(
            "stoke.exec.max-output = " + maxOutput + ", must be positive");
      }
      Objects.requireNonNull(defaultTimeout, "stoke.exec.default-timeout");
      Objects.requireNonNull(maxTimeout, "stoke.exec.max-timeout");
    }
  }
}
