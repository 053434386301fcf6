package io.stoke.stats.ingest;

import java.util.Objects;

/** Requests for {@code function} are queueing: the orchestrator should add capacity now. */
public record ScaleSignal(String function, long pending, long inflight, long at) {
  public ScaleSignal {
    Objects.requireNonNull(function, "function");
  }
}
