package io.stoke.gateway.ui;

/** Latency percentiles of a window, from the difference of two cumulative histograms. */
final class Percentiles {

  private Percentiles() {}

  /**
   * The {@code q} quantile (0..1) of the requests counted between {@code before} and {@code after},
   * in milliseconds, interpolated linearly inside its bucket; NaN when the window holds no request.
   * Requests above the last bound count as the last bound.
   */
  static double quantile(Totals before, Totals after, long requests, double q) {
    if (requests <= 0 || after.bucketCounts().length == 0) {
      return Double.NaN;
    }
    double[] bounds = after.bucketBoundsMs();
    long[] then =
        before.bucketCounts().length == bounds.length
            ? before.bucketCounts()
            : new long[bounds.length];
    double rank = q * requests;
    long previous = 0;
    double lower = 0;
    for (int i = 0; i < bounds.length; i++) {
      long atOrUnder = after.bucketCounts()[i] - then[i];
      if (atOrUnder >= rank) {
        long inBucket = atOrUnder - previous;
        double fraction = inBucket == 0 ? 1 : (rank - previous) / inBucket;
        return lower + (bounds[i] - lower) * Math.clamp(fraction, 0, 1);
      }
      previous = atOrUnder;
      lower = bounds[i];
    }
    return bounds[bounds.length - 1];
  }
}
