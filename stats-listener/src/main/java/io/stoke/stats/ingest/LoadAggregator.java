package io.stoke.stats.ingest;

import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.Mapping.Mapped;
import io.stoke.stats.statsd.ParseResult.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Aggregates function load metrics over windows and decides when to signal a scale-up. Pure: every
 * method takes the time (epoch ms) as an argument; not thread-safe (one ingest thread owns it).
 *
 * <p>Gauges keep the latest value per source and expire when not refreshed; a gauge is summed over
 * the sources of one {@link Origin} and the largest origin wins (a request is visible at every
 * hop). Counters add up over the window, scaled by their sample rate. Memory is bounded by {@code
 * maxFunctions} functions and {@code maxSeries} (function, source) gauge sets.
 */
public final class LoadAggregator {

  /** Larger values are clamped, so sums stay finite whatever senders claim. */
  static final double MAX_VALUE = 1e9;

  private static final long NEVER = Long.MIN_VALUE / 4;
  // Gauge kinds come first in LoadKind, so their ordinal indexes a source's gauge slots.
  private static final int GAUGES = 4;
  private static final int ORIGINS = Origin.values().length;

  private final IngestSettings settings;
  private final IngestCounters counters;
  private final Map<String, FunctionState> functions = new HashMap<>();
  private final List<FunctionState> candidates = new ArrayList<>();
  private final long gaugeExpiry;
  private int series;
  private long windowStart;

  public LoadAggregator(IngestSettings settings, IngestCounters counters, long nowMillis) {
    this.settings = settings;
    this.counters = counters;
    this.gaugeExpiry = settings.gaugeExpiry().toMillis();
    this.windowStart = nowMillis;
  }

  /** Records one mapped metric from {@code source}. */
  public void ingest(String source, Mapped mapped, Metric metric, long nowMillis) {
    FunctionState function = functions.get(mapped.function());
    if (function == null) {
      if (functions.size() >= settings.maxFunctions()) {
        counters.increment(Counter.DROPPED_FUNCTIONS);
        return;
      }
      function = new FunctionState(mapped.function());
      functions.put(mapped.function(), function);
    }
    LoadKind kind = mapped.kind();
    int origin = mapped.origin().ordinal();
    if (kind.isGauge()) {
      SourceGauges gauges = function.sources.get(source);
      if (gauges == null) {
        if (series >= settings.maxSeries()) {
          counters.increment(Counter.DROPPED_SERIES);
          return;
        }
        gauges = new SourceGauges();
        function.sources.put(source, gauges);
        series++;
      }
      int slot = origin * GAUGES + kind.ordinal();
      gauges.values[slot] = clamp(metric.value());
      gauges.updatedAt[slot] = nowMillis;
    } else {
      double count = metric.type().isSample() ? 1 : clamp(metric.value());
      double[] sums = kind == LoadKind.REQUESTS ? function.requests : function.overflow;
      sums[origin] = Math.min(MAX_VALUE, sums[origin] + count / metric.sampleRate());
    }
    function.lastHeard = nowMillis;
    boolean queueSignal =
        kind == LoadKind.PENDING || kind == LoadKind.BREAKER_OPEN || kind == LoadKind.OVERFLOW;
    if (queueSignal && !function.candidate) {
      function.candidate = true;
      candidates.add(function);
    }
  }

  /**
   * Scale signals for functions whose queue signals changed since the last call and that are
   * queueing now: pending requests, a full queue or rejections this window. At most one per
   * function per debounce period.
   */
  public List<ScaleSignal> dueSignals(long nowMillis) {
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<ScaleSignal> signals = new ArrayList<>();
    for (FunctionState function : candidates) {
      function.candidate = false;
      long pending = Math.round(gauge(function, LoadKind.PENDING, nowMillis));
      boolean queueing =
          pending > 0
              || gauge(function, LoadKind.BREAKER_OPEN, nowMillis) > 0
              || max(function.overflow) > 0;
      if (queueing && nowMillis >= function.nextSignalAt) {
        function.nextSignalAt = nowMillis + settings.debounce().toMillis();
        long inflight = Math.round(gauge(function, LoadKind.INFLIGHT, nowMillis));
        signals.add(new ScaleSignal(function.name, pending, inflight, nowMillis));
      }
    }
    candidates.clear();
    counters.add(Counter.SCALE_SIGNALS, signals.size());
    return signals;
  }

  public boolean windowDue(long nowMillis) {
    return nowMillis - windowStart >= settings.window().toMillis();
  }

  /**
   * Ends the current window: the load of every function heard from recently, and forgets expired
   * gauges and silent functions.
   */
  public List<FunctionLoad> closeWindow(long nowMillis) {
    double seconds = Math.max(1, nowMillis - windowStart) / 1000.0;
    windowStart = nowMillis;
    List<FunctionLoad> loads = new ArrayList<>();
    Iterator<FunctionState> all = functions.values().iterator();
    while (all.hasNext()) {
      FunctionState function = all.next();
      expireGauges(function, nowMillis);
      if (function.sources.isEmpty() && nowMillis - function.lastHeard > gaugeExpiry) {
        all.remove();
        continue;
      }
      loads.add(load(function, seconds, nowMillis));
      Arrays.fill(function.requests, 0);
      Arrays.fill(function.overflow, 0);
    }
    return loads;
  }

  private FunctionLoad load(FunctionState function, double seconds, long nowMillis) {
    return new FunctionLoad(
        function.name,
        Math.round(gauge(function, LoadKind.PENDING, nowMillis)),
        Math.round(gauge(function, LoadKind.INFLIGHT, nowMillis)),
        Math.round(max(function.requests) / seconds * 100) / 100.0,
        Math.round(max(function.overflow)),
        Math.round(gauge(function, LoadKind.CONNECTIONS, nowMillis)),
        gauge(function, LoadKind.BREAKER_OPEN, nowMillis) > 0,
        nowMillis);
  }

  private void expireGauges(FunctionState function, long nowMillis) {
    Iterator<SourceGauges> sources = function.sources.values().iterator();
    while (sources.hasNext()) {
      SourceGauges gauges = sources.next();
      boolean live = false;
      for (long updatedAt : gauges.updatedAt) {
        live |= nowMillis - updatedAt <= gaugeExpiry;
      }
      if (!live) {
        sources.remove();
        series--;
      }
    }
  }

  /** The gauge summed over the live sources of each origin, largest origin. */
  private double gauge(FunctionState function, LoadKind kind, long nowMillis) {
    double largest = 0;
    for (int origin = 0; origin < ORIGINS; origin++) {
      int slot = origin * GAUGES + kind.ordinal();
      double sum = 0;
      for (SourceGauges gauges : function.sources.values()) {
        long updatedAt = gauges.updatedAt[slot];
        if (nowMillis - updatedAt <= gaugeExpiry) {
          sum += gauges.values[slot];
        }
      }
      largest = Math.max(largest, sum);
    }
    return largest;
  }

  private static double max(double[] perOrigin) {
    double largest = 0;
    for (double value : perOrigin) {
      largest = Math.max(largest, value);
    }
    return largest;
  }

  private static double clamp(double value) {
    return Math.min(Math.max(value, 0), MAX_VALUE);
  }

  public int functionCount() {
    return functions.size();
  }

  public int seriesCount() {
    return series;
  }

  /** One function's state; gauges per source, counters for the current window per origin. */
  private static final class FunctionState {
    private final String name;
    private final Map<String, SourceGauges> sources = new HashMap<>(4);
    private final double[] requests = new double[ORIGINS];
    private final double[] overflow = new double[ORIGINS];
    private long lastHeard;
    private long nextSignalAt;
    private boolean candidate;

    private FunctionState(String name) {
      this.name = name;
    }
  }

  /** The latest gauge values of one source for one function, by origin and kind. */
  private static final class SourceGauges {
    private final double[] values = new double[ORIGINS * GAUGES];
    // Epoch ms of the last update of each slot; NEVER is far enough in the past to be expired
    // whatever the time, yet far enough from Long.MIN_VALUE that subtracting it cannot overflow.
    private final long[] updatedAt = new long[ORIGINS * GAUGES];

    private SourceGauges() {
      Arrays.fill(updatedAt, NEVER);
    }
  }
}
