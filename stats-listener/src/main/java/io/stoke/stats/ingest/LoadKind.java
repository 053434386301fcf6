package io.stoke.stats.ingest;

/** What a metric says about a function's load. */
public enum LoadKind {
  // The gauges come first: LoadAggregator indexes its gauge slots by their ordinal.

  /** Requests waiting for an instance or a connection (gauge): the queue signal. */
  PENDING(true),
  /** Requests being served (gauge). */
  INFLIGHT(true),
  /** Open upstream connections (gauge). */
  CONNECTIONS(true),
  /** 1 while the pending queue is full (gauge). */
  BREAKER_OPEN(true),
  /** Requests completed (a counter delta, or one timer sample per request). */
  REQUESTS(false),
  /** Requests rejected because the pending queue was full (counter delta). */
  OVERFLOW(false);

  private final boolean gauge;

  LoadKind(boolean gauge) {
    this.gauge = gauge;
  }

  /** True when the latest value per source counts; false when values add up over a window. */
  public boolean isGauge() {
    return gauge;
  }
}
