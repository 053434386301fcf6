package io.stoke.stats.ingest;

import java.time.Duration;

/**
 * Bounds and timings of the ingest path.
 *
 * @param maxDatagramBytes larger datagrams are dropped whole
 * @param maxLineLength longer lines are counted as malformed
 * @param maxFunctions distinct functions held; metrics for new ones beyond are dropped
 * @param maxSeries distinct (function, source) gauge sets held; new ones beyond are dropped
 * @param maxSources distinct senders with a rate bucket; new ones beyond are refused
 * @param linesPerSecondPerSource sustained lines per second one sender may have ingested
 * @param burstLines lines one sender may send at once
 * @param window aggregation window of the load written to Redis
 * @param debounce least time between two scale signals of one function
 * @param gaugeExpiry a gauge not refreshed for this long no longer counts
 * @param sourceIdle a sender silent for this long may lose its rate bucket to a new one
 */
public record IngestSettings(
    int maxDatagramBytes,
    int maxLineLength,
    int maxFunctions,
    int maxSeries,
    int maxSources,
    int linesPerSecondPerSource,
    int burstLines,
    Duration window,
    Duration debounce,
    Duration gaugeExpiry,
    Duration sourceIdle) {

  public IngestSettings {
    check("maxDatagramBytes", maxDatagramBytes, 512, 65_535);
    check("maxLineLength", maxLineLength, 64, 65_535);
    check("maxFunctions", maxFunctions, 1, 100_000);
    check("maxSeries", maxSeries, 1, 1_000_000);
    check("maxSources", maxSources, 1, 100_000);
    check("linesPerSecondPerSource", linesPerSecondPerSource, 1, 100_000_000);
    check("burstLines", burstLines, 1, 100_000_000);
    check("window", window, Duration.ofMillis(10), Duration.ofMinutes(1));
    check("debounce", debounce, Duration.ZERO, Duration.ofMinutes(1));
    check("gaugeExpiry", gaugeExpiry, Duration.ofMillis(10), Duration.ofHours(1));
    check("sourceIdle", sourceIdle, Duration.ofMillis(10), Duration.ofHours(1));
  }

  /** Defaults sized for one Envoy and a few gateways reporting about a thousand functions. */
  public static IngestSettings defaults() {
    return new IngestSettings(
        65_507,
        4_096,
        1_000,
        10_000,
        1_024,
        50_000,
        100_000,
        Duration.ofSeconds(1),
        Duration.ofMillis(250),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60));
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }

  private static void check(String key, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }
}
