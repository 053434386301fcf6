package io.stoke.stats.ingest;

import java.util.Objects;

/**
 * A function's load over one aggregation window.
 *
 * @param pending requests queued now (latest gauge per source, summed over sources)
 * @param inflight requests being served now
 * @param rps requests completed per second over the window
 * @param overflow requests rejected by a full queue during the window
 * @param connections open upstream connections now (reported, not part of the Redis contract)
 * @param breakerOpen whether a source reported its pending queue full
 * @param at epoch ms at the end of the window
 */
public record FunctionLoad(
    String function,
    long pending,
    long inflight,
    double rps,
    long overflow,
    long connections,
    boolean breakerOpen,
    long at) {
  public FunctionLoad {
    Objects.requireNonNull(function, "function");
  }
}
