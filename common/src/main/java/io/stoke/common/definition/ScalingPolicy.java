package io.stoke.common.definition;

import java.time.Duration;

/**
 * How many instances of a function run, how much each takes on, and how fast the count moves.
 *
 * <p>The autoscaler follows Knative's KPA: desired = ceil(observed concurrency / (concurrency x
 * targetUtilization)), averaged over {@code stableWindow} for scaling down and over {@code
 * panicWindow} for scaling up at once when demand reaches {@code panicThreshold} x capacity.
 *
 * @param minInstances instances kept running even without traffic (0 = scale to zero)
 * @param maxInstances instances never exceeded
 * @param concurrency requests one instance serves at once; 0 = unlimited
 * @param queueSize requests waiting for a free slot (or a cold instance) before 429/503
 * @param idleTimeout an instance with no request started for this long is drained
 * @param startTimeout a container not ready within this long is removed and its waiters failed
 * @param targetUtilization fraction of {@code concurrency} the autoscaler aims for, in (0, 1]
 * @param stableWindow averaging window for scale-down decisions
 * @param panicWindow averaging window for scale-up decisions
 * @param panicThreshold demand/capacity ratio that triggers panic mode (immediate scale-up)
 * @param scaleDownDelay how long a lower desired count must persist before instances drain
 * @param maxScaleUpRate at most this factor of the ready instances per decision (at least +1)
 */
public record ScalingPolicy(
    int minInstances,
    int maxInstances,
    int concurrency,
    int queueSize,
    Duration idleTimeout,
    Duration startTimeout,
    double targetUtilization,
    Duration stableWindow,
    Duration panicWindow,
    double panicThreshold,
    Duration scaleDownDelay,
    double maxScaleUpRate) {

  public static final int MAX_INSTANCES_LIMIT = 1000;

  public static final ScalingPolicy DEFAULT =
      new ScalingPolicy(
          0,
          10,
          10,
          100,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          0.7,
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          2.0,
          Duration.ZERO,
          10.0);

  public ScalingPolicy {
    Checks.inRange("scaling.minInstances", minInstances, 0, MAX_INSTANCES_LIMIT);
    Checks.inRange("scaling.maxInstances", maxInstances, 1, MAX_INSTANCES_LIMIT);
    if (minInstances > maxInstances) {
      throw new IllegalArgumentException(
          "scaling.minInstances = "
              + minInstances
              + ", must not exceed scaling.maxInstances = "
              + maxInstances);
    }
    Checks.inRange("scaling.concurrency", concurrency, 0, 100_000);
    Checks.inRange("scaling.queueSize", queueSize, 0, 1_000_000);
    Checks.positive("scaling.idleTimeout", idleTimeout);
    Checks.positive("scaling.startTimeout", startTimeout);
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw new IllegalArgumentException(
          "scaling.targetUtilization = " + targetUtilization + ", must be in (0, 1]");
    }
    Checks.positive("scaling.stableWindow", stableWindow);
    Checks.positive("scaling.panicWindow", panicWindow);
    if (!(panicThreshold >= 1)) {
      throw new IllegalArgumentException(
          "scaling.panicThreshold = " + panicThreshold + ", must be at least 1");
    }
    Checks.notNegative("scaling.scaleDownDelay", scaleDownDelay);
    if (!(maxScaleUpRate > 1)) {
      throw new IllegalArgumentException(
          "scaling.maxScaleUpRate = " + maxScaleUpRate + ", must be greater than 1");
    }
  }

  /** This policy with another per-instance concurrency (0 = unlimited). */
  public ScalingPolicy withConcurrency(int newConcurrency) {
    return new ScalingPolicy(
        minInstances,
        maxInstances,
        newConcurrency,
        queueSize,
        idleTimeout,
        startTimeout,
        targetUtilization,
        stableWindow,
        panicWindow,
        panicThreshold,
        scaleDownDelay,
        maxScaleUpRate);
  }

  /** This policy with another queue bound. */
  public ScalingPolicy withQueueSize(int newQueueSize) {
    return new ScalingPolicy(
        minInstances,
        maxInstances,
        concurrency,
        newQueueSize,
        idleTimeout,
        startTimeout,
        targetUtilization,
        stableWindow,
        panicWindow,
        panicThreshold,
        scaleDownDelay,
        maxScaleUpRate);
  }

  /** True when one instance takes any number of requests at once. */
  public boolean unlimitedConcurrency() {
    return concurrency == 0;
  }
}
