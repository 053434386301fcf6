package io.stoke.common.contract;

import java.util.Objects;

/**
 * What a caller waiting on {@link RedisKeys#activationResult(String)} receives.
 *
 * @param id the activation id
 * @param outcome how it ended
 * @param result stdout (only for {@link ActivationOutcome#SUCCEEDED}; otherwise empty)
 * @param exitCode the container's exit code; -1 when it did not exit by itself
 * @param error a human-readable reason for any outcome but success; empty otherwise
 * @param durationMs from container creation to its end
 */
public record ActivationResult(
    String id,
    ActivationOutcome outcome,
    String result,
    int exitCode,
    String error,
    long durationMs) {

  public ActivationResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(outcome, "outcome");
    result = result == null ? "" : result;
    error = error == null ? "" : error;
  }
}
