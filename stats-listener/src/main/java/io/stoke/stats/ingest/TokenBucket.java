package io.stoke.stats.ingest;

/**
 * A token bucket: refills at {@code ratePerSecond} up to {@code burst} tokens. Pure: the caller
 * passes the time; not thread-safe.
 */
final class TokenBucket {

  private final double ratePerMilli;
  private final double burst;
  private double tokens;
  private long lastMillis;

  TokenBucket(double ratePerSecond, double burst, long nowMillis) {
    this.ratePerMilli = ratePerSecond / 1000;
    this.burst = burst;
    this.tokens = burst;
    this.lastMillis = nowMillis;
  }

  /** Takes {@code n} tokens if that many are available now. */
  boolean tryTake(double n, long nowMillis) {
    if (nowMillis > lastMillis) {
      tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * ratePerMilli);
      lastMillis = nowMillis;
    }
    if (tokens < n) {
      return false;
    }
    tokens -= n;
    return true;
  }

  long lastMillis() {
    return lastMillis;
  }
}
