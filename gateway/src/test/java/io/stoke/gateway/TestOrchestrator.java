package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.InstanceRegistry;
import redis.clients.jedis.UnifiedJedis;

/** Plays the orchestrator's part of the Redis contract in gateway integration tests. */
final class TestOrchestrator {

  private final UnifiedJedis redis;
  private final InstanceRegistry registry;

  TestOrchestrator(UnifiedJedis redis) {
    this.redis = redis;
    this.registry = new InstanceRegistry(redis);
  }

  /** Registers {@code process} as a READY instance of {@code function} and announces it. */
  Instance ready(String function, FunctionProcess process) {
    return ready(function, process.id(), process.port());
  }

  Instance ready(String function, String id, int port) {
    var instance = Definitions.instance(function, id, port, InstanceState.READY);
    registry.put(instance);
    registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, instance, now()));
    return instance;
  }

  void draining(Instance instance) {
    var draining = instance.withState(InstanceState.DRAINING);
    registry.put(draining);
    registry.publish(InstanceEvent.of(InstanceEvent.Type.DRAINING, draining, now()));
  }

  void removed(Instance instance) {
    registry.remove(instance.function(), instance.id());
    registry.publish(InstanceEvent.of(InstanceEvent.Type.REMOVED, instance, now()));
  }

  /** Marks the instances as routed by Envoy, as the xDS control plane does after Envoy's ACK. */
  void routed(String function, String... instanceIds) {
    redis.sadd(RedisKeys.routed(function), instanceIds);
    registry.publish(new InstanceEvent(InstanceEvent.Type.ROUTED, function, "", "", now()));
  }

  void failed(String function, String reason) {
    registry.publish(new InstanceEvent(InstanceEvent.Type.FAILED, function, "", reason, now()));
  }

  /** Demand entries appended for {@code function} so far. */
  long demandFor(String function) {
    return redis.xrange(RedisKeys.DEMAND_STREAM, "-", "+").stream()
        .filter(entry -> function.equals(entry.getFields().get("function")))
        .count();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
