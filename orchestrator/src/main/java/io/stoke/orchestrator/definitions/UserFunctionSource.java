package io.stoke.orchestrator.definitions;

import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.contract.UserFunction;
import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.definition.Quantities;
import io.stoke.common.definition.Resources;
import io.stoke.common.definition.Runtime;
import io.stoke.common.definition.ScalingPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The {@code mode: http} functions users registered through the API, read from {@link
 * RedisKeys#userFunctions(String)} of every owner in {@link RedisKeys#USER_FUNCTION_OWNERS}, as the
 * definitions the orchestrator publishes under their internal names {@code u-<owner>-<name>}.
 */
public final class UserFunctionSource {

  private static final Logger log = LoggerFactory.getLogger(UserFunctionSource.class);

  private final UnifiedJedis redis;

  public UserFunctionSource(UnifiedJedis redis) {
    this.redis = redis;
  }

  /** Every http-mode user function as a definition, by internal name. */
  public Map<String, FunctionDefinition> read() {
    var definitions = new TreeMap<String, FunctionDefinition>();
    for (var owner : redis.smembers(RedisKeys.USER_FUNCTION_OWNERS)) {
      redis
          .hgetAll(RedisKeys.userFunctions(owner))
          .forEach(
              (name, json) -> {
                try {
                  definition(Json.read(json, UserFunction.class))
                      .ifPresent(d -> definitions.put(d.name(), d));
                } catch (RuntimeException e) {
                  log.warn("Skipping user function {} of {}: {}", name, owner, e.toString());
                }
              });
    }
    return definitions;
  }

  /**
   * The definition a user function runs as, or empty for an exec-mode one (the api-server runs
   * those): a prebuilt image, auth required, scaling from zero to at most its {@code maxParallel}
   * instances.
   */
  public static Optional<FunctionDefinition> definition(UserFunction stored) {
    if (!"http".equals(stored.mode())) {
      return Optional.empty();
    }
    var timeout =
        Quantities.duration(stored.timeout())
            .orElseThrow(() -> new IllegalArgumentException("timeout = " + stored.timeout()));
    var d = ScalingPolicy.DEFAULT;
    var scaling =
        new ScalingPolicy(
            0,
            Math.max(1, Math.min(stored.maxParallel(), d.maxInstances())),
            d.concurrency(),
            d.queueSize(),
            d.idleTimeout(),
            d.startTimeout(),
            d.targetUtilization(),
            d.stableWindow(),
            d.panicWindow(),
            d.panicThreshold(),
            d.scaleDownDelay(),
            d.maxScaleUpRate());
    return Optional.of(
        new FunctionDefinition(
            FunctionDefinition.USER_PREFIX + stored.owner() + "-" + stored.name(),
            Runtime.IMAGE,
            null,
            null,
            Long.toString(stored.createdAt()),
            stored.image(),
            stored.port(),
            ExecutionMode.HTTP,
            Map.of(),
            timeout,
            new Resources(stored.memoryBytes(), stored.cpus(), stored.pids()),
            scaling,
            LoadBalancing.ROUND_ROBIN,
            AuthMode.REQUIRED,
            List.of(),
            stored.readinessPath(),
            stored.pure(),
            stored.resultCache()));
  }
}
