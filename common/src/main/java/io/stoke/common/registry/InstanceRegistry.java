package io.stoke.common.registry;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The instance registry in Redis: which instances each function has, where they listen and what
 * state they are in. Only the orchestrator writes it; the gateway and the xDS control plane read it
 * and follow {@link RedisKeys#EVENTS}.
 */
public final class InstanceRegistry {

  private static final Logger log = LoggerFactory.getLogger(InstanceRegistry.class);

  private final UnifiedJedis redis;

  public InstanceRegistry(UnifiedJedis redis) {
    this.redis = redis;
  }

  /** The instances of one function, oldest first. */
  public List<Instance> instances(String function) {
    var result = new ArrayList<Instance>();
    redis
        .hgetAll(RedisKeys.instances(function))
        .forEach(
            (id, json) -> {
              try {
                result.add(Json.read(json, Instance.class));
              } catch (RuntimeException e) {
                log.warn(
                    "Skipping unreadable registry entry {} of {}: {}", id, function, e.toString());
              }
            });
    result.sort(Comparator.comparingLong(Instance::startedAt).thenComparing(Instance::id));
    return result;
  }

  /** Every function's instances, by function name. */
  public Map<String, List<Instance>> all() {
    var result = new LinkedHashMap<String, List<Instance>>();
    for (var function : redis.smembers(RedisKeys.INSTANCE_FUNCTIONS).stream().sorted().toList()) {
      var instances = instances(function);
      if (!instances.isEmpty()) {
        result.put(function, instances);
      }
    }
    return result;
  }

  /** Adds or replaces an instance. */
  public void put(Instance instance) {
    redis.sadd(RedisKeys.INSTANCE_FUNCTIONS, instance.function());
    redis.hset(RedisKeys.instances(instance.function()), instance.id(), Json.write(instance));
  }

  /** Removes an instance; true when it was there. */
  public boolean remove(String function, String instanceId) {
    boolean removed = redis.hdel(RedisKeys.instances(function), instanceId) > 0;
    redis.hdel(RedisKeys.activity(function), instanceId, RedisKeys.inflightField(instanceId));
    return removed;
  }

  /** Announces a change to every subscriber. */
  public void publish(InstanceEvent event) {
    redis.publish(RedisKeys.EVENTS, Json.write(event));
  }
}
