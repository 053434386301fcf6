package io.stoke.gateway.ui;

/**
 * A function's counters as the gateway's meters hold them at one moment, all cumulative since the
 * gateway started.
 *
 * @param requests requests answered
 * @param errors requests answered with a 5xx status
 * @param coldStarts requests served after waiting for a cold start
 * @param bucketBoundsMs the latency histogram's upper bounds, milliseconds, ascending
 * @param bucketCounts requests at or under each bound (cumulative, as Prometheus counts them)
 */
record Totals(
    long requests, long errors, long coldStarts, double[] bucketBoundsMs, long[] bucketCounts) {

  static final Totals NONE = new Totals(0, 0, 0, new double[0], new long[0]);

  Totals {
    if (bucketBoundsMs.length != bucketCounts.length) {
      throw new IllegalArgumentException(
          bucketBoundsMs.length + " bucket bounds for " + bucketCounts.length + " counts");
    }
  }
}
