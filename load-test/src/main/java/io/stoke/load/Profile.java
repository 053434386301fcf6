package io.stoke.load;

import java.time.Duration;
import java.util.Locale;

/**
 * The shape of a load over time, as a fraction of its peak.
 *
 * @param shape constant, step (up in steps, then back down), ramp or spike
 * @param duration how long load is sent: every shape sends load until its end
 */
public record Profile(Shape shape, Duration duration) {

  /** Named shapes. */
  public enum Shape {
    CONSTANT,
    STEP,
    RAMP,
    SPIKE;

    static Shape parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--profile " + text + ": must be one of constant, step, ramp, spike", e);
      }
    }
  }

  /**
   * The step profile's levels: up in three steps, then back down. None is zero, so load is sent for
   * the whole duration; the idle time after it is the run's observation window.
   */
  static final double[] STEPS = {0.25, 0.5, 1.0, 0.5, 0.25};

  /** The fraction of the peak to apply {@code elapsed} into the run, in [0, 1]. */
  public double levelAt(Duration elapsed) {
    double t = Math.clamp((double) elapsed.toMillis() / Math.max(1, duration.toMillis()), 0, 1);
    return switch (shape) {
      case CONSTANT -> 1.0;
      case RAMP -> t;
      case STEP -> STEPS[Math.min(STEPS.length - 1, (int) (t * STEPS.length))];
      case SPIKE -> t >= 5.0 / 12 && t < 7.0 / 12 ? 1.0 : 0.1;
    };
  }
}
