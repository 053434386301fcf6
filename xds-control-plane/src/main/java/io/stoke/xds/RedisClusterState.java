package io.stoke.xds;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.registry.FunctionCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * The cluster state as published in Redis by the orchestrator. Reads every function's instances in
 * one pipeline (the same keys and order as {@code InstanceRegistry.all()}), so a resync over 1000
 * functions costs two round trips, not a thousand.
 */
public final class RedisClusterState implements ClusterState {

  private static final Logger log = LoggerFactory.getLogger(RedisClusterState.class);

  private final UnifiedJedis redis;
  private final FunctionCatalog catalog;

  public RedisClusterState(UnifiedJedis redis) {
    this.redis = redis;
    this.catalog = new FunctionCatalog(redis);
  }

  @Override
  public FunctionDefinitions functions() {
    return catalog.read();
  }

  @Override
  public Map<String, List<Instance>> instances() {
    var functions = redis.smembers(RedisKeys.INSTANCE_FUNCTIONS).stream().sorted().toList();
    var replies = new LinkedHashMap<String, Response<Map<String, String>>>();
    try (var pipeline = redis.pipelined()) {
      functions.forEach(f -> replies.put(f, pipeline.hgetAll(RedisKeys.instances(f))));
      pipeline.sync();
    }
    var result = new LinkedHashMap<String, List<Instance>>();
    replies.forEach(
        (function, reply) -> {
          var instances = decode(function, reply.get());
          if (!instances.isEmpty()) {
            result.put(function, instances);
          }
        });
    return result;
  }

  private static List<Instance> decode(String function, Map<String, String> entries) {
    var instances = new ArrayList<Instance>(entries.size());
    entries.forEach(
        (id, json) -> {
          try {
            instances.add(Json.read(json, Instance.class));
          } catch (RuntimeException e) {
            log.warn("Skipping unreadable registry entry {} of {}: {}", id, function, e.toString());
          }
        });
    instances.sort(Comparator.comparingLong(Instance::startedAt).thenComparing(Instance::id));
    return instances;
  }
}
