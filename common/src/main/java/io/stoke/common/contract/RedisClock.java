package io.stoke.common.contract;

import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * Redis's own clock. Deadlines that several hosts compare (exec admissions, time queued on the
 * activation stream, whose entry ids are Redis's clock at XADD) are measured on it, so no clock
 * skew between hosts enters them.
 */
public final class RedisClock {

  private RedisClock() {}

  /** Redis's {@code TIME}, in epoch milliseconds. */
  public static long millis(UnifiedJedis redis) {
    var time = (List<?>) redis.eval("return redis.call('TIME')");
    return Long.parseLong(String.valueOf(time.get(0))) * 1000
        + Long.parseLong(String.valueOf(time.get(1))) / 1000;
  }
}
