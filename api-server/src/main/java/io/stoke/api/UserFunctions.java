package io.stoke.api;

import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.contract.UserFunction;
import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.Quantities;
import io.stoke.common.definition.Resources;
import io.stoke.common.definition.ResultCache;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/** Functions users register through the API, stored per owner in Redis. */
public final class UserFunctions {

  /** A user's function name: what follows {@code u-<owner>-} in its internal name. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,29}");

  /** The body of {@code POST /api/v1/functions}; unset fields take defaults. */
  public record Registration(
      String name,
      String image,
      String mode,
      Integer port,
      String timeout,
      String memory,
      Double cpus,
      Integer maxParallel,
      String readinessPath,
      Boolean pure,
      UserFunction.Cache cache) {}

  private final UnifiedJedis redis;
  private final ImageCheck images;
  private final ApiProperties.Exec limits;
  private final Clock clock;

  public UserFunctions(
      UnifiedJedis redis, ImageCheck images, ApiProperties.Exec limits, Clock clock) {
    this.redis = redis;
    this.images = images;
    this.limits = limits;
    this.clock = clock;
  }

  public static String internalName(String owner, String name) {
    return FunctionDefinition.USER_PREFIX + owner + "-" + name;
  }

  /** Validates, checks the image with the orchestrator, and stores; 409 when the name is taken. */
  public UserFunction register(String owner, Registration body) {
    var function = validate(owner, body);
    images.requireAvailable(function.image());
    if (redis.hsetnx(RedisKeys.userFunctions(owner), function.name(), Json.write(function)) == 0) {
      throw new ApiException(409, "function " + function.name() + " already exists");
    }
    redis.sadd(RedisKeys.USER_FUNCTION_OWNERS, owner);
    announce(function.internalName(), "registered");
    return function;
  }

  public List<UserFunction> list(String owner) {
    return redis.hvals(RedisKeys.userFunctions(owner)).stream()
        .map(json -> Json.read(json, UserFunction.class))
        .sorted(Comparator.comparing(UserFunction::name))
        .toList();
  }

  public Optional<UserFunction> find(String owner, String name) {
    return Optional.ofNullable(redis.hget(RedisKeys.userFunctions(owner), name))
        .map(json -> Json.read(json, UserFunction.class));
  }

  /** The caller's function, or 404: another user's function does not exist for them. */
  public UserFunction require(String owner, String name) {
    return find(owner, name).orElseThrow(() -> ApiException.notFound("function " + name));
  }

  public void delete(String owner, String name) {
    if (redis.hdel(RedisKeys.userFunctions(owner), name) == 0) {
      throw ApiException.notFound("function " + name);
    }
    announce(internalName(owner, name), "deleted");
  }

  /**
   * Tells the orchestrator to re-read the user functions: it publishes the http-mode ones (and
   * drops deleted ones) in the function catalog. A lost event costs only its poll interval.
   */
  private void announce(String internalName, String reason) {
    redis.publish(
        RedisKeys.EVENTS,
        Json.write(
            new InstanceEvent(
                InstanceEvent.Type.FUNCTIONS_CHANGED,
                internalName,
                "",
                "user function " + reason,
                clock.millis())));
  }

  /** Checks the registration; package-private for its tests. */
  UserFunction validate(String owner, Registration body) {
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      throw ApiException.badRequest(
          "name = "
              + body.name()
              + ", must be 1 to 30 lower-case letters, digits and dashes, starting with a letter");
    }
    if (body.image() == null || !DefinitionLoader.IMAGE_REFERENCE.matcher(body.image()).matches()) {
      throw ApiException.badRequest(
          "image = " + body.image() + ", is not a valid image reference like repo/name:tag");
    }
    var mode = body.mode() == null ? "exec" : body.mode();
    if (!mode.equals("exec") && !mode.equals("http")) {
      throw ApiException.badRequest("mode = " + mode + ", must be exec or http");
    }
    var internal = internalName(owner, body.name());
    if (!FunctionDefinition.NAME.matcher(internal).matches()) {
      throw ApiException.badRequest(
          "name = "
              + body.name()
              + ", too long: the internal name "
              + internal
              + " must be at most 63 characters");
    }
    int port = body.port() == null ? 8080 : body.port();
    if (port < 1 || port > 65535) {
      throw ApiException.badRequest("port = " + port + ", must be in [1, 65535]");
    }
    var timeoutText =
        body.timeout() == null ? Quantities.format(limits.defaultTimeout()) : body.timeout();
    var timeout =
        Quantities.duration(timeoutText)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "timeout = " + timeoutText + ", " + Quantities.DURATION_RULE));
    if (timeout.isZero() || timeout.compareTo(limits.maxTimeout()) > 0) {
      throw ApiException.badRequest(
          "timeout = " + timeoutText + ", must be in (0, " + limits.maxTimeout() + "]");
    }
    long memory = memory(body.memory());
    double cpus = body.cpus() == null ? 0.5 : body.cpus();
    if (!(cpus > 0 && cpus <= 4)) {
      throw ApiException.badRequest("cpus = " + cpus + ", must be in (0, 4]");
    }
    int maxParallel =
        body.maxParallel() == null ? limits.maxParallelPerFunction() : body.maxParallel();
    if (maxParallel < 1 || maxParallel > limits.maxParallelPerFunction()) {
      throw ApiException.badRequest(
          "maxParallel = "
              + maxParallel
              + ", must be in [1, "
              + limits.maxParallelPerFunction()
              + "]");
    }
    String readinessPath = body.readinessPath();
    if (readinessPath != null) {
      if (!"http".equals(mode)) {
        throw ApiException.badRequest(
            "readinessPath is for mode http: an exec function has no server to probe");
      }
      if (!FunctionDefinition.READINESS_PATH.matcher(readinessPath).matches()) {
        throw ApiException.badRequest(
            "readinessPath = " + readinessPath + ", " + FunctionDefinition.READINESS_PATH_RULE);
      }
    }
    boolean pure = Boolean.TRUE.equals(body.pure());
    checkCache(body, mode, internal, pure);
    return new UserFunction(
        body.name(),
        owner,
        internal,
        body.image(),
        mode,
        port,
        timeoutText,
        memory,
        cpus,
        64,
        maxParallel,
        clock.millis(),
        readinessPath,
        pure,
        body.cache());
  }

  /** The result cache: mode http only, pure only, ranges as {@link ResultCache} sets them. */
  private static void checkCache(Registration body, String mode, String internal, boolean pure) {
    if (body.cache() == null) {
      return;
    }
    if (!"http".equals(mode)) {
      throw ApiException.badRequest(
          "cache is for mode http: the gateway caches answers of functions it proxies");
    }
    try {
      ResultCache.requirePure(internal, pure, body.cache().resultCache());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private static long memory(String text) {
    if (text == null) {
      return 128L << 20;
    }
    long bytes =
        Quantities.memory(text)
            .orElseThrow(
                () -> ApiException.badRequest("memory = " + text + ", " + Quantities.MEMORY_RULE));
    if (bytes < Resources.MIN_MEMORY || bytes > (4L << 30)) {
      throw ApiException.badRequest("memory = " + text + ", must be in [6m, 4g]");
    }
    return bytes;
  }
}
