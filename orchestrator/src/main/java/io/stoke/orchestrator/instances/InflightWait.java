package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.RedisKeys;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Waits until the gateway reports no request in flight on a draining instance ({@code
 * <id>.inflight} in {@code stoke:activity:{fn}}). Only a reported 0 ends the wait early: a missing
 * field (lost with a Redis restart) or an unreachable Redis is unknown, and unknown waits until the
 * deadline (the function's timeout), since a request may still run there.
 */
final class InflightWait {

  private static final Logger log = LoggerFactory.getLogger(InflightWait.class);

  /** Lets a request the gateway routed just before it saw DRAINING register as in flight. */
  static final long SETTLE_MS = 100;

  private static final long POLL_MS = 20;

  private final UnifiedJedis redis;
  private final Clock clock;

  InflightWait(UnifiedJedis redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /**
   * Marks a newly ready instance as having nothing in flight, before any request can reach it, so
   * that a missing field later means lost, not never used. The gateway's own writes win (HSETNX).
   */
  void seed(Instance instance) {
    redis.hsetnx(
        RedisKeys.activity(instance.function()), RedisKeys.inflightField(instance.id()), "0");
  }

  /** Returns true when a 0 was reported, false when the deadline (epoch ms) passed first. */
  boolean awaitNone(Instance instance, long deadlineMs) throws InterruptedException {
    var key = RedisKeys.activity(instance.function());
    var field = RedisKeys.inflightField(instance.id());
    Thread.sleep(SETTLE_MS);
    String lastProblem = "";
    while (clock.millis() < deadlineMs) {
      var problem = "";
      try {
        var inflight = redis.hget(key, field);
        if (inflight == null) {
          problem = "no in-flight count reported";
        } else if (Long.parseLong(inflight.strip()) <= 0) {
          return true;
        }
      } catch (NumberFormatException e) {
        problem = "unreadable in-flight count";
      } catch (RuntimeException e) {
        problem = "cannot read the in-flight count: " + e.getMessage();
      }
      if (!problem.isEmpty() && !problem.equals(lastProblem)) {
        log.warn(
            "[{}] {} of draining {}; waiting up to the function's timeout",
            instance.function(),
            problem,
            instance.id());
      }
      lastProblem = problem;
      Thread.sleep(POLL_MS);
    }
    return false;
  }
}
