package io.stoke.common.contract;

import io.stoke.common.definition.Quantities;
import io.stoke.common.definition.ResultCache;
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
 * @param pure whether the function's answer depends on its request alone
 * @param cache how the gateway caches its answers (mode http, pure only), or null for no caching
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
    String readinessPath,
    Boolean pure,
    Cache cache) {

  public UserFunction {
    // Functions stored before the result cache existed, or written by other tools, have no pure.
    pure = Boolean.TRUE.equals(pure);
  }

  /**
   * The result cache as registered and stored: {@code ttl} as written ({@code 30s}); unset fields
   * take {@link ResultCache}'s defaults.
   */
  public record Cache(Integer maxEntries, String ttl) {

    /**
     * The validated setting.
     *
     * @throws IllegalArgumentException naming the key, the value and the allowed range
     */
    public ResultCache resultCache() {
      var duration =
          ttl == null
              ? ResultCache.DEFAULT_TTL
              : Quantities.duration(ttl)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "cache.ttl = " + ttl + ", " + Quantities.DURATION_RULE));
      return new ResultCache(
          maxEntries == null ? ResultCache.DEFAULT_MAX_ENTRIES : maxEntries, duration);
    }
  }

  public boolean isHttp() {
    return "http".equals(mode);
  }

  /** The validated result cache, or null when the function is not cached. */
  public ResultCache resultCache() {
    return cache == null ? null : cache.resultCache();
  }

  public Duration timeoutDuration() {
    return Quantities.duration(timeout).orElseThrow();
  }
}
