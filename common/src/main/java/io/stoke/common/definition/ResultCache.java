package io.stoke.common.definition;

import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway caches the answers of a function declared pure: at most {@code maxEntries}
 * answers, each kept for {@code ttl}. Holds the ranges every reader (definitions file, management
 * API) checks against.
 *
 * @param maxEntries answers kept at most for this function (least recently used go first)
 * @param ttl how long one answer stays valid after it was stored
 */
public record ResultCache(int maxEntries, Duration ttl) {

  public static final int MIN_ENTRIES = 1;
  public static final int MAX_ENTRIES = 100_000;
  public static final Duration MAX_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MAX_ENTRIES = 1000;
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

  /** The rule {@code cache} must follow with respect to {@code pure}, worded for error messages. */
  public static final String PURE_RULE =
      "needs pure: true (only functions declared pure, whose answer depends on the request alone,"
          + " are cached)";

  public ResultCache {
    Checks.inRange("cache.maxEntries", maxEntries, MIN_ENTRIES, MAX_ENTRIES);
    Objects.requireNonNull(ttl, "cache.ttl");
    if (!ttlInRange(ttl)) {
      throw new IllegalArgumentException(
          "cache.ttl = " + Quantities.format(ttl) + ", " + ttlRule());
    }
  }

  /** True when {@code ttl} is in (0, 1h]. */
  public static boolean ttlInRange(Duration ttl) {
    return ttl.isPositive() && ttl.compareTo(MAX_TTL) <= 0;
  }

  /** The rule {@code ttl} must follow, worded for error messages. */
  public static String ttlRule() {
    return "must be in (0, " + Quantities.format(MAX_TTL) + "]";
  }

  /** The rule {@code maxEntries} must follow, worded for error messages. */
  public static String maxEntriesRule() {
    return "must be in [" + MIN_ENTRIES + ", " + MAX_ENTRIES + "]";
  }

  /**
   * Checks that a function with this cache setting is declared pure.
   *
   * @throws IllegalArgumentException naming the function, the key and the rule
   */
  public static void requirePure(String function, boolean pure, ResultCache cache) {
    if (cache != null && !pure) {
      throw new IllegalArgumentException("function " + function + ": cache " + PURE_RULE);
    }
  }
}
