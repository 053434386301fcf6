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
 * Exec activations from the caller's side: admit against the parallel limits (atomically, in Redis,
 * each admission bounded by its deadline), enqueue on {@link RedisKeys#ACTIVATIONS_STREAM}, wait
 * for the result with BLPOP bounded by the function's timeout, release the admission. Also reads
 * the kept records.
 */
public final class Activations {

  /**
   * Drops the admissions whose deadline passed, checks both limits and admits in one step; returns
   * which limit refused (1 platform-wide, 2 the function's), or 0. An admission is a member of a
   * sorted set scored by its deadline, so one whose api-server died before releasing it frees
   * itself when the deadline passes instead of holding a slot forever. Deadlines are on Redis's
   * clock, so api-servers on hosts whose clocks differ agree on them. KEYS: platform-wide and
   * function sets; ARGV: how long the admission holds (ms), activation id, platform-wide and
   * function limit.
   */
  private static final String ADMIT =
      """
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 1 end
      if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 2 end
      for i = 1, 2 do
        redis.call('ZADD', KEYS[i], now + tonumber(ARGV[1]), ARGV[2])
        local latest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')[2]
        redis.call('PEXPIRE', KEYS[i], math.max(1, tonumber(latest) - now))
      end
      return 0
      """;

  /**
   * How long past the function's timeout an admission may be held: the caller waits the timeout
   * plus this for the result (container creation and removal), then releases.
   */
  static final Duration RESULT_MARGIN = Duration.ofSeconds(10);

  /** What to run for one call, with the function's own environment variables. */
  public record Target(
      String function,
      String owner,
      String image,
      Duration timeout,
      long memoryBytes,
      double cpus,
      long pids,
      int maxParallel,
      java.util.Map<String, String> environment) {}

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
    var id = UUID.randomUUID().toString().replace("-", "");
    int refused = admit(target, id);
    if (refused != 0) {
      throw new ApiException(429, refusal(refused, target));
    }
    try {
      return run(target, id, input);
    } finally {
      release(target, id);
    }
  }

  /**
   * Admits activation {@code id} against both parallel limits until its deadline (the timeout plus
   * {@link #RESULT_MARGIN} and a second); 0, or which limit refused.
   */
  int admit(Target target, String id) {
    long holdMs = target.timeout().plus(RESULT_MARGIN).toMillis() + 1000;
    return ((Number)
            redis.eval(
                ADMIT,
                admissionKeys(target),
                List.of(
                    Long.toString(holdMs),
                    id,
                    Integer.toString(limits.maxParallel()),
                    Integer.toString(target.maxParallel()))))
        .intValue();
  }

  void release(Target target, String id) {
    for (var key : admissionKeys(target)) {
      redis.zrem(key, id);
    }
  }

  private static List<String> admissionKeys(Target target) {
    return List.of(RedisKeys.EXEC_ADMISSIONS, RedisKeys.execAdmissions(target.function()));
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

  private ActivationResult run(Target target, String id, String input) {
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
            clock.millis(),
            target.environment());
    redis.xadd(
        RedisKeys.ACTIVATIONS_STREAM,
        XAddParams.xAddParams().approximateTrimming().maxLen(RedisKeys.STREAM_MAX_LENGTH),
        Map.of("request", Json.write(request)));
    // The worker's own deadline is the timeout; the margin covers container creation and removal.
    double waitSeconds = target.timeout().plus(RESULT_MARGIN).toMillis() / 1000.0;
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
