package io.stoke.gateway.ui;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;

/**
 * Reads a function's counters and latency histogram from the gateway's own meters ({@code
 * stoke.gateway.requests}, {@code .cold_starts}, {@code .latency}, see GatewayMetrics). Give it the
 * registry that keeps latency histogram buckets (Prometheus), else the percentiles stay empty.
 */
final class MeterReader {

  private final MeterRegistry registry;

  MeterReader(MeterRegistry registry) {
    this.registry = registry;
  }

  Totals totals(String function) {
    long requests = 0;
    long errors = 0;
    for (FunctionCounter counter :
        registry.find("stoke.gateway.requests").tag("function", function).functionCounters()) {
      long count = (long) counter.count();
      requests += count;
      var status = counter.getId().getTag("status");
      if (status != null && status.startsWith("5")) {
        errors += count;
      }
    }
    var cold =
        registry.find("stoke.gateway.cold_starts").tag("function", function).functionCounter();
    Timer latency = registry.find("stoke.gateway.latency").tag("function", function).timer();
    CountAtBucket[] buckets =
        latency == null ? new CountAtBucket[0] : latency.takeSnapshot().histogramCounts();
    var bounds = new double[buckets.length];
    var counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
      counts[i] = (long) buckets[i].count();
    }
    return new Totals(requests, errors, cold == null ? 0 : (long) cold.count(), bounds, counts);
  }
}
