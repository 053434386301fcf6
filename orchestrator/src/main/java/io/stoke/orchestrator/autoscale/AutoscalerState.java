package io.stoke.orchestrator.autoscale;

import java.time.Instant;
import java.util.Optional;

/**
 * What one decision hands to the next.
 *
 * @param panicSince when panic mode was last triggered; empty when not panicking
 * @param lowerSince since when every decision wanted fewer instances than exist; empty otherwise
 */
public record AutoscalerState(Optional<Instant> panicSince, Optional<Instant> lowerSince) {

  public static final AutoscalerState INITIAL =
      new AutoscalerState(Optional.empty(), Optional.empty());

  public boolean panicking() {
    return panicSince.isPresent();
  }
}
