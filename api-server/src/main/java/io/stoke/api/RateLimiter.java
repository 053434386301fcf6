package io.stoke.api;

import java.time.Clock;
import redis.clients.jedis.UnifiedJedis;

/** Fixed one-minute windows per action and client, counted in Redis so replicas share them. */
public final class RateLimiter {

  private final UnifiedJedis redis;
  private final int perMinute;
  private final Clock clock;

  public RateLimiter(UnifiedJedis redis, int perMinute, Clock clock) {
    this.redis = redis;
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Counts one {@code action} by {@code client}; false once the minute's budget is spent. */
  public boolean allow(String action, String client) {
    long minute = clock.millis() / 60_000;
    var key = "stoke:rate:" + action + ":" + client + ":" + minute;
    long count = redis.incr(key);
    if (count == 1) {
      redis.expire(key, 120);
    }
    return count <= perMinute;
  }
}
