package io.stoke.gateway.ui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last samples of one function: a bounded ring the sampler appends to once a second. Rates are
 * differences of cumulative counters divided by the time between them; percentiles come from the
 * histogram difference over {@link #PERCENTILE_WINDOW} samples.
 */
final class FunctionSeries {

  /** Samples the latency percentiles look back over (10 s at one a second). */
  static final int PERCENTILE_WINDOW = 10;

  private final int capacity;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final ArrayDeque<Totals> totals = new ArrayDeque<>();
  private final ArrayDeque<Long> times = new ArrayDeque<>();

  FunctionSeries(int capacity) {
    if (capacity < PERCENTILE_WINDOW) {
      throw new IllegalArgumentException(
          "a series of " + capacity + " samples, must hold at least " + PERCENTILE_WINDOW);
    }
    this.capacity = capacity;
  }

  /** Appends the sample of {@code now} (epoch ms) and returns it. */
  synchronized Sample record(
      Totals now, Map<String, Integer> instances, int pending, int inflight, long at) {
    Totals last = totals.isEmpty() ? now : totals.peekLast();
    long lastAt = times.isEmpty() ? at : times.peekLast();
    double seconds = Math.max(0.001, (at - lastAt) / 1000.0);
    Totals windowStart = totals.isEmpty() ? now : totals.peekFirst();
    if (totals.size() > PERCENTILE_WINDOW) {
      windowStart = List.copyOf(totals).get(totals.size() - PERCENTILE_WINDOW);
    }
    long windowRequests = now.requests() - windowStart.requests();
    var sample =
        new Sample(
            at,
            at == lastAt ? 0 : (now.requests() - last.requests()) / seconds,
            at == lastAt ? 0 : (now.errors() - last.errors()) / seconds,
            orNull(Percentiles.quantile(windowStart, now, windowRequests, 0.5)),
            orNull(Percentiles.quantile(windowStart, now, windowRequests, 0.99)),
            Map.copyOf(instances),
            pending,
            inflight,
            now.requests(),
            now.errors(),
            now.coldStarts());
    samples.addLast(sample);
    totals.addLast(now);
    times.addLast(at);
    while (samples.size() > capacity) {
      samples.removeFirst();
      totals.removeFirst();
      times.removeFirst();
    }
    return sample;
  }

  synchronized Sample latest() {
    return samples.peekLast();
  }

  synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  private static Double orNull(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
