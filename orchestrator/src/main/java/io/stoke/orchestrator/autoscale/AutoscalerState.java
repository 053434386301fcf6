package io.stoke.orchestrator.autoscale;

import java.time.Instant;
import java.util.Optional;

/**
 * What one decision hands to the next.
 *
 * @param panicSince when panic mode was last triggered; empty when not panicking
 * @param lowerSince since when every decision wanted fewer instances than exist; empty otherwise
 * @param lastScaleUp when a decision last asked for more instances than existed; empty if never
 */
public record AutoscalerState(
    Optional<Instant> panicSince, Optional<Instant> lowerSince, Optional<Instant> lastScaleUp) {

  public static final AutoscalerState INITIAL =
      new AutoscalerState(Optional.empty(), Optional.empty(), Optional.empty());

  public AutoscalerState {
    java.util.Objects.requireNonNull(panicSince, "panicSince");
    java.util.Objects.requireNonNull(lowerSince, "lowerSince");
    java.util.Objects.requireNonNull(lastScaleUp, "lastScaleUp");
  }

  public boolean panicking() {
    return panicSince.isPresent();
  }
}
