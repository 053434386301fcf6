package io.stoke.stats.statsd;

/** The StatsD metric types, by their wire symbol. */
public enum MetricType {
  COUNTER("c"),
  GAUGE("g"),
  TIMER("ms"),
  HISTOGRAM("h"),
  DISTRIBUTION("d"),
  SET("s");

  private final String symbol;

  MetricType(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  /** True for types whose every line is one sample of a measured duration or size. */
  public boolean isSample() {
    return this == TIMER || this == HISTOGRAM || this == DISTRIBUTION;
  }
}
