package io.stoke.stats.ingest;

/**
 * Which hop a metric was measured at. A request is visible at each hop it passes (the gateway
 * proxies through Envoy), so the aggregator sums sources of one origin and takes the largest origin
 * rather than summing across hops.
 */
public enum Origin {
  ENVOY,
  GATEWAY
}
