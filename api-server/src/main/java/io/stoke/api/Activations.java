package io.stoke.api;

import io.stoke.common.contract.ActivationRecord;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.common.contract.ActivationResult;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;

/**
 * Exec activations from the caller's side: admit against the parallel limits (atomically, in
 * Redis), enqueue on {@link RedisKeys#ACTIVATIONS_STREAM}, wait for the result with BLPOP bounded
 * by the function's timeout, release the admission. Also reads the kept records.
 */
public final class Activations {

  /** Checks both limits and counts the activation in one step; returns which limit refused. */
  private static final String ADMIT =
      """
      local g = tonumber(redis.call('GET', KEYS[1]) or '0')
      if g >= tonumber(ARGV[1]) then return 1 end
      local f = tonumber(redis.call('GET', KEYS[2]) or '0')
      if f >= tonumber(ARGV[2]) then return 2 end
      redis.call('INCR', KEYS[1]); redis.call('EXPIRE', KEYS[1], ARGV[3])
      redis.call('INCR', KEYS[2]); redis.call('EXPIRE', KEYS[2], ARGV[3])
      return 0
      """;

  private static final String RELEASE =
      """
      for i = 1, 2 do
        if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
      end
      return 0
      """;

  /** What to run for one call. */
  public record Target(
      String function,
      String owner,
      String image,
      Duration timeout,
      long memoryBytes,
      double cpus,
      long pids,
      int maxParallel) {}

  private final UnifiedJedis redis;
  private final ApiProperties.Exec limits;
  private final Clock clock;

  public Activations(UnifiedJedis redis, ApiProperties.Exec limits, Clock clock) {
    this.redis = redis;
    this.limits = limits;
    this.clock = clock;
  }

  /** Runs one activation and waits for it; 429 at once when a parallel limit is reached. */
  public ActivationResult invoke(Target target, String input) {
    var keys = List.of(RedisKeys.EXEC_INFLIGHT, RedisKeys.execInflight(target.function()));
    long safetyTtl = Math.max(60, target.timeout().toSeconds() * 2 + 30);
    var refused =
        ((Number)
                redis.eval(
                    ADMIT,
                    keys,
                    List.of(
                        Integer.toString(limits.maxParallel()),
                        Integer.toString(target.maxParallel()),
                        Long.toString(safetyTtl))))
            .intValue();
    if (refused != 0) {
      throw new ApiException(429, refusal(refused, target));
    }
    try {
      return run(target, input);
    } finally {
      redis.eval(RELEASE, keys, List.of());
    }
  }

  private static String refusal(int which, Target target) {
    return which == 1
        ? "platform-wide limit of parallel activations reached (stoke.exec.max-parallel)"
        : "limit of "
            + target.maxParallel()
            + " parallel activations of function "
            + displayName(target)
            + " reached";
  }

  private static String displayName(Target target) {
    var prefix = io.stoke.common.definition.FunctionDefinition.USER_PREFIX + target.owner() + "-";
    return !target.owner().isEmpty() && target.function().startsWith(prefix)
        ? target.function().substring(prefix.length())
        : target.function();
  }

  private ActivationResult run(Target target, String input) {
    var id = UUID.randomUUID().toString().replace("-", "");
    var request =
        new ActivationRequest(
            id,
            target.function(),
            target.owner(),
            target.image(),
            input,
            target.timeout().toMillis(),
            target.memoryBytes(),
            target.cpus(),
            target.pids(),
            limits.maxOutput().toBytes(),
            clock.millis());
    redis.xadd(
        RedisKeys.ACTIVATIONS_STREAM,
        XAddParams.xAddParams().approximateTrimming().maxLen(RedisKeys.STREAM_MAX_LENGTH),
        Map.of("request", Json.write(request)));
    // The worker's own deadline is the timeout; the margin covers container creation and removal.
    double waitSeconds = target.timeout().toMillis() / 1000.0 + 10;
    var popped = redis.blpop(waitSeconds, RedisKeys.activationResult(id));
    if (popped == null) {
      throw new ApiException(
          504, "activation " + id + " got no result within " + target.timeout() + " plus margin");
    }
    return Json.read(popped.getValue(), ActivationResult.class);
  }

  /** The record of activation {@code id}, when it belongs to {@code owner}. */
  public Optional<ActivationRecord> record(String owner, String id) {
    return Optional.ofNullable(redis.get(RedisKeys.activation(id)))
        .map(json -> Json.read(json, ActivationRecord.class))
        .filter(record -> Objects.equals(record.owner(), owner));
  }

  /** The kept records of {@code function}, newest first, at most {@code limit}. */
  public List<ActivationRecord> recent(String owner, String function, int limit) {
    return redis.lrange(RedisKeys.functionActivations(function), 0, limit - 1L).stream()
        .map(id -> record(owner, id))
        .flatMap(Optional::stream)
        .toList();
  }
}
