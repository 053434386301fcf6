package io.stoke.orchestrator.instances;

import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.FunctionSet;
import java.time.Clock;
import redis.clients.jedis.UnifiedJedis;

/** Drains the instances {@link IdleDecision} finds idle, function by function. */
public final class IdleReaper {

  private final FunctionSet functions;
  private final InstanceRegistry registry;
  private final UnifiedJedis redis;
  private final InstanceManager instances;
  private final Clock clock;

  public IdleReaper(
      FunctionSet functions,
      InstanceRegistry registry,
      UnifiedJedis redis,
      InstanceManager instances,
      Clock clock) {
    this.functions = functions;
    this.registry = registry;
    this.redis = redis;
    this.instances = instances;
    this.clock = clock;
  }

  /** One pass over every function. */
  public void check() {
    for (var def : functions.all()) {
      var current =
          registry.instances(def.name()).stream()
              .filter(i -> def.definitionDigest().equals(i.digest()))
              .filter(i -> !instances.isDraining(i.id()))
              .toList();
      if (current.size() <= def.scaling().minInstances()) {
        continue;
      }
      var activity = redis.hgetAll(RedisKeys.activity(def.name()));
      IdleDecision.toDrain(current, activity, def.scaling(), clock.millis())
          .forEach(
              i ->
                  instances.drain(i, "idle for " + def.scaling().idleTimeout().toMillis() + " ms"));
    }
  }
}
