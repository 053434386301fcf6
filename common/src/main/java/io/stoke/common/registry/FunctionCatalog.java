package io.stoke.common.registry;

import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The deployable functions as published in Redis. The orchestrator publishes what it loaded from
 * the definitions file; every other service reads it from here, so all agree on one version.
 */
public final class FunctionCatalog {

  private static final Logger log = LoggerFactory.getLogger(FunctionCatalog.class);

  private final UnifiedJedis redis;

  public FunctionCatalog(UnifiedJedis redis) {
    this.redis = redis;
  }

  /** The published functions, by name order. */
  public FunctionDefinitions read() {
    var functions = new ArrayList<FunctionDefinition>();
    redis
        .hgetAll(RedisKeys.FUNCTIONS)
        .forEach(
            (name, json) -> {
              try {
                functions.add(Json.read(json, FunctionDefinition.class));
              } catch (RuntimeException e) {
                log.warn("Skipping unreadable definition of {}: {}", name, e.toString());
              }
            });
    functions.sort(Comparator.comparing(FunctionDefinition::name));
    return new FunctionDefinitions(functions);
  }

  /**
   * Makes {@code definitions} the published set: adds and replaces what changed, removes what is
   * gone, and announces the change once.
   */
  public void publish(FunctionDefinitions definitions, long now) {
    var wanted = new HashMap<String, String>();
    definitions.functions().forEach(f -> wanted.put(f.name(), Json.write(f)));
    var current = redis.hgetAll(RedisKeys.FUNCTIONS);
    var gone = current.keySet().stream().filter(name -> !wanted.containsKey(name)).toList();
    if (!gone.isEmpty()) {
      redis.hdel(RedisKeys.FUNCTIONS, gone.toArray(String[]::new));
    }
    var changed = new HashMap<String, String>();
    wanted.forEach(
        (name, json) -> {
          if (!json.equals(current.get(name))) {
            changed.put(name, json);
          }
        });
    if (!changed.isEmpty()) {
      redis.hset(RedisKeys.FUNCTIONS, changed);
    }
    if (!gone.isEmpty() || !changed.isEmpty()) {
      redis.publish(
          RedisKeys.EVENTS,
          Json.write(new InstanceEvent(InstanceEvent.Type.FUNCTIONS_CHANGED, "", "", "", now)));
    }
  }
}
