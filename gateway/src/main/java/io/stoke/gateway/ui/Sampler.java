package io.stoke.gateway.ui;

import io.stoke.common.contract.InstanceState;
import io.stoke.gateway.FunctionGate;
import io.stoke.gateway.FunctionTable;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every published function once a second into its {@link FunctionSeries}, from the function
 * table (instances by state, queue, in flight) and the gateway's meters: the data every dashboard
 * stream reads, gathered once however many pages are open.
 */
final class Sampler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sampler.class);

  private final FunctionTable table;
  private final MeterReader meters;
  private final Clock clock;
  private final int capacity;
  private final Map<String, FunctionSeries> series = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("stoke-dashboard-sampler").factory());

  Sampler(FunctionTable table, MeterReader meters, Clock clock, int capacity) {
    this.table = table;
    this.meters = meters;
    this.clock = clock;
    this.capacity = capacity;
  }

  void start() {
    long ms = DashboardProperties.SAMPLE_INTERVAL.toMillis();
    timer.scheduleAtFixedRate(this::sampleSafely, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** The series of a published function, or null. */
  FunctionSeries series(String function) {
    return series.get(function);
  }

  void sample() {
    long now = clock.millis();
    var published = new HashSet<String>();
    for (FunctionGate gate : table.all()) {
      published.add(gate.name());
      series
          .computeIfAbsent(gate.name(), name -> new FunctionSeries(capacity))
          .record(
              meters.totals(gate.name()), instancesOf(gate), gate.pending(), gate.inflight(), now);
    }
    series.keySet().retainAll(published);
  }

  /** Instances by lower-case state, every state present (zero when none). */
  static Map<String, Integer> instancesOf(FunctionGate gate) {
    var byState = new LinkedHashMap<String, Integer>();
    for (var state : InstanceState.values()) {
      byState.put(state.name().toLowerCase(Locale.ROOT), gate.instances(state));
    }
    return byState;
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      // A failed second leaves a gap in the charts; the next one samples again.
      log.warn("dashboard sample failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
