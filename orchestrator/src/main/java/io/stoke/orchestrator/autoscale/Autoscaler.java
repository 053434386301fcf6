package io.stoke.orchestrator.autoscale;

import io.stoke.common.definition.ScalingPolicy;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides how many instances a function needs, modelled on Knative's KPA. A pure function of its
 * inputs and the time: it reads no clock and does no I/O.
 *
 * <ul>
 *   <li>desired = ceil(average concurrency / (concurrency per instance x target utilization));
 *   <li>scale-down looks at the stable window, and waits {@code scaleDownDelay} of consistently
 *       lower wishes and a whole stable window after the last scale-up (capacity just asked for is
 *       judged on a window of evidence gathered with it, not reversed by the next tick);
 *   <li>no load sample in the stable window is unknown load: the count holds;
 *   <li>panic: when the panic-window demand reaches {@code panicThreshold} x current capacity,
 *       scale up at once to the panic-window figure, and never down while panicking (a panic lasts
 *       a stable window after its last trigger);
 *   <li>requests queueing right now with no instance starting add one instance at once, before the
 *       averages catch up;
 *   <li>at most {@code maxScaleUpRate} x the current instances per decision (and at least +1);
 *   <li>always within [minInstances, maxInstances].
 * </ul>
 */
public final class Autoscaler {

  /** Per-instance concurrency assumed for functions with unlimited concurrency. */
  static final int UNLIMITED_CONCURRENCY_TARGET = 100;

  private Autoscaler() {}

  public static ScaleDecision decide(FunctionLoad load, ScalingPolicy policy, Instant now) {
    double perInstance = perInstanceTarget(policy);
    int current = load.instances();
    var stableAverage = load.averageOver(policy.stableWindow(), now);
    if (stableAverage.isEmpty()) {
      int held = Math.clamp(current, policy.minInstances(), policy.maxInstances());
      return new ScaleDecision(
          held, load.state(), "no load reported over the stable window, holding");
    }
    double stable = stableAverage.getAsDouble();
    double panic = load.averageOver(policy.panicWindow(), now).orElse(0);
    int wantStable = (int) Math.ceil(stable / perInstance);
    int wantPanic = (int) Math.ceil(panic / perInstance);

    var state = load.state();
    boolean trigger =
        panic > 0 && panic >= policy.panicThreshold() * Math.max(current, 1) * perInstance;
    Optional<Instant> panicSince = state.panicSince();
    if (trigger) {
      panicSince = Optional.of(now);
    } else if (panicSince.isPresent()
        && !now.isBefore(panicSince.get().plus(policy.stableWindow()))) {
      panicSince = Optional.empty();
    }

    int desired;
    String reason;
    if (panicSince.isPresent()) {
      desired = Math.max(wantPanic, current);
      reason = "panic: " + fmt(panic) + " concurrent over the panic window";
    } else {
      desired = wantStable;
      reason = "stable: " + fmt(stable) + " concurrent over the stable window";
    }
    if (desired > current && desired > wantPanic) {
      // The stable average lags: it may still ask for more after demand has gone (and the idle
      // rule has drained instances). Only demand seen in the panic window justifies adding.
      desired = Math.max(current, wantPanic);
      reason += ", no recent demand for more";
    }

    if (load.queueingNow()) {
      // Requests wait now: never fewer instances, and when nothing is on its way one more at
      // once — the averages have not caught up yet, but the capacity is already short.
      desired = Math.max(desired, current);
      if (load.starting() == 0 && desired == current) {
        desired = current + 1;
        reason += ", queueing now";
      }
    }

    int maxUp = Math.max(current + 1, (int) Math.ceil(current * policy.maxScaleUpRate()));
    if (desired > maxUp) {
      desired = maxUp;
      reason += ", limited by maxScaleUpRate";
    }

    Optional<Instant> lowerSince = Optional.empty();
    if (desired < current) {
      lowerSince = Optional.of(state.lowerSince().orElse(now));
      if (now.isBefore(lowerSince.get().plus(policy.scaleDownDelay()))) {
        desired = current;
        reason += ", scale-down delayed";
      } else if (state
          .lastScaleUp()
          .filter(up -> now.isBefore(up.plus(policy.stableWindow())))
          .isPresent()) {
        // A scale-up is reversed only by a stable window of evidence gathered after it: the next
        // tick's lower average still describes the load before the new capacity existed.
        desired = current;
        reason += ", scale-down waits a stable window after the last scale-up";
      }
    }

    int bounded = Math.clamp(desired, policy.minInstances(), policy.maxInstances());
    if (bounded != desired) {
      reason += ", bounded to [" + policy.minInstances() + ", " + policy.maxInstances() + "]";
    }
    var lastScaleUp = bounded > current ? Optional.of(now) : state.lastScaleUp();
    return new ScaleDecision(
        bounded, new AutoscalerState(panicSince, lowerSince, lastScaleUp), reason);
  }

  static double perInstanceTarget(ScalingPolicy policy) {
    int concurrency =
        policy.unlimitedConcurrency() ? UNLIMITED_CONCURRENCY_TARGET : policy.concurrency();
    return concurrency * policy.targetUtilization();
  }

  private static String fmt(double value) {
    return String.format(java.util.Locale.ROOT, "%.2f", value);
  }
}
