package io.stoke.orchestrator.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What the autoscaler knows about one function at decision time.
 *
 * @param samples recent load samples, oldest first
 * @param instances instances that exist and count toward capacity (starting or ready)
 * @param starting how many of them are still starting
 * @param queueingNow requests are waiting for a free slot of ready instances right now (a report
 *     newer than the newest instance's readiness says so; requests held for a cold start are not)
 * @param state what the previous decision carried forward
 */
public record FunctionLoad(
    List<LoadSample> samples,
    int instances,
    int starting,
    boolean queueingNow,
    AutoscalerState state) {

  public FunctionLoad {
    samples = List.copyOf(samples);
    if (instances < 0 || starting < 0 || starting > instances) {
      throw new IllegalArgumentException(
          "instances = "
              + instances
              + ", starting = "
              + starting
              + ", must be 0 <= starting <= instances");
    }
  }

  /** Load with no instance starting and no queue reported now. */
  public FunctionLoad(List<LoadSample> samples, int instances, AutoscalerState state) {
    this(samples, instances, 0, false, state);
  }

  /**
   * Mean concurrency of the samples taken in the window ending at {@code now}, each sample
   * describing the tick before it. Empty without samples: a missing report (Redis lost the load,
   * the stats listener is down) is unknown load, not zero load, and gaps are not averaged in.
   */
  public OptionalDouble averageOver(Duration window, Instant now) {
    var start = now.minus(window);
    double sum = 0;
    int count = 0;
    for (var sample : samples) {
      if (sample.at().isAfter(start) && !sample.at().isAfter(now)) {
        sum += sample.concurrency();
        count++;
      }
    }
    return count == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / count);
  }
}
