package io.stoke.orchestrator.autoscale;

import java.time.Instant;

/**
 * Observed concurrency of one function at one moment: requests in flight plus requests waiting
 * (queued in the gateway or pending in Envoy), summed over every reporter.
 */
public record LoadSample(Instant at, double concurrency) {

  public LoadSample {
    if (!(concurrency >= 0) || Double.isInfinite(concurrency)) {
      throw new IllegalArgumentException("concurrency = " + concurrency + ", must be >= 0");
    }
  }
}
