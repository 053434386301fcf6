package io.stoke.common.contract;

import io.stoke.common.definition.Quantities;
import java.time.Duration;

/**
 * A function a user registered through the management API, as stored in {@link
 * RedisKeys#userFunctions(String)} (JSON). Written by the api-server; read by the api-server and,
 * for {@code http} mode, by the orchestrator, which publishes it as {@code internalName}.
 *
 * @param name the name its owner calls it by
 * @param owner the user who registered it
 * @param internalName {@code u-<owner>-<name>}, its name on the platform
 * @param image the image reference
 * @param mode {@code exec} or {@code http}
 * @param port the container port of an {@code http} function
 * @param timeout the longest a call may take, as written in definitions ({@code 10s})
 * @param memoryBytes memory limit
 * @param cpus CPU share
 * @param pids process limit
 * @param maxParallel calls (exec) or instances (http) at once
 * @param createdAt epoch milliseconds of the registration
 * @param readinessPath the path an {@code http} function answers with a 2xx once it serves; null
 *     for Stoke's own {@code /_/ready} (also what records written before the field existed read as)
 */
public record UserFunction(
    String name,
    String owner,
    String internalName,
    String image,
    String mode,
    int port,
    String timeout,
    long memoryBytes,
    double cpus,
    int pids,
    int maxParallel,
    long createdAt,
    String readinessPath) {

  public boolean isHttp() {
    return "http".equals(mode);
  }

  public Duration timeoutDuration() {
    return Quantities.duration(timeout).orElseThrow();
  }
}
