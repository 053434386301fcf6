package io.stoke.common.contract;

import java.util.Map;
import java.util.Objects;

/**
 * One exec-mode call: run {@code image} once with {@code input} on stdin. Appended to {@link
 * RedisKeys#ACTIVATIONS_STREAM} by the api-server; executed by an orchestrator exec worker.
 *
 * @param id the activation id (also the result list's key)
 * @param function the internal function name
 * @param owner the calling user, or empty for a definitions-file function
 * @param image the image reference to run
 * @param input the string parameter, written to stdin
 * @param timeoutMs the call's deadline; the container is killed past it
 * @param memoryBytes memory limit
 * @param cpus CPU limit in cores
 * @param pids process limit
 * @param maxOutputBytes stdout beyond this fails the activation
 * @param at epoch milliseconds when it was enqueued
 * @param environment the function's variables, set in its container (the platform's {@code STOKE_*}
 *     variables win); null reads as none
 */
public record ActivationRequest(
    String id,
    String function,
    String owner,
    String image,
    String input,
    long timeoutMs,
    long memoryBytes,
    double cpus,
    long pids,
    long maxOutputBytes,
    long at,
    Map<String, String> environment) {

  public ActivationRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(image, "image");
    owner = owner == null ? "" : owner;
    input = input == null ? "" : input;
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("timeoutMs = " + timeoutMs + ", must be positive");
    }
    if (maxOutputBytes <= 0) {
      throw new IllegalArgumentException(
          "maxOutputBytes = " + maxOutputBytes + ", must be positive");
    }
  }
}
