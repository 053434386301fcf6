package io.stoke.gateway;

import io.stoke.common.contract.RedisKeys;
import io.stoke.gateway.logging.RepeatedWarnings;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;

/**
 * What the gateway writes to Redis, always from a background executor: demand for cold functions
 * ({@link RedisKeys#DEMAND_STREAM}) and per-instance activity ({@link RedisKeys#activity}).
 */
public final class RedisReporter {

  private static final Logger log = LoggerFactory.getLogger(RedisReporter.class);
  private static final String SOURCE = "gateway";

  private final UnifiedJedis redis;
  private final Executor executor;
  private final Clock clock;
  private final RepeatedWarnings demandWarnings;
  private final RepeatedWarnings activityWarnings;

  public RedisReporter(UnifiedJedis redis, Executor executor, Clock clock) {
    this.redis = redis;
    this.executor = executor;
    this.clock = clock;
    this.demandWarnings =
        new RepeatedWarnings(log, "demand signals", clock, RepeatedWarnings.WINDOW);
    this.activityWarnings =
        new RepeatedWarnings(log, "activity writes", clock, RepeatedWarnings.WINDOW);
  }

  /** Appends a demand entry for {@code function}; returns at once. */
  public void demand(String function) {
    long at = clock.millis();
    executor.execute(
        () -> {
          try {
            redis.xadd(
                RedisKeys.DEMAND_STREAM,
                XAddParams.xAddParams().maxLen(RedisKeys.STREAM_MAX_LENGTH).approximateTrimming(),
                Map.of("function", function, "at", Long.toString(at), "source", SOURCE));
            demandWarnings.succeeded();
          } catch (RuntimeException e) {
            demandWarnings.failed("Cannot signal demand for " + function + ": " + e);
          }
        });
  }

  /**
   * Writes the activity of every instance whose activity changed since the last flush: last request
   * start (epoch ms) and requests in flight. Runs on the caller's thread.
   */
  public void flushActivity(Iterable<FunctionGate> gates) {
    for (var gate : gates) {
      var fields = new HashMap<String, String>();
      var taken = new java.util.ArrayList<Slot>();
      for (var slot : gate.activitySlots()) {
        if (slot.takeDirty()) {
          taken.add(slot);
          if (slot.lastStartMs() > 0) {
            fields.put(slot.id(), Long.toString(slot.lastStartMs()));
          }
          fields.put(RedisKeys.inflightField(slot.id()), Integer.toString(slot.inflight()));
        }
      }
      if (!fields.isEmpty()) {
        try {
          redis.hset(RedisKeys.activity(gate.name()), fields);
          gate.forgetFlushed();
          activityWarnings.succeeded();
        } catch (RuntimeException e) {
          taken.forEach(Slot::markDirty);
          activityWarnings.failed("Cannot write activity of " + gate.name() + ": " + e);
        }
      }
    }
  }
}
