package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.ScalingPolicy;
import io.stoke.orchestrator.autoscale.Autoscaler;
import io.stoke.orchestrator.autoscale.AutoscalerState;
import io.stoke.orchestrator.autoscale.FunctionLoad;
import io.stoke.orchestrator.autoscale.LoadHistory;
import io.stoke.orchestrator.autoscale.LoadSample;
import io.stoke.orchestrator.definitions.FunctionSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Feeds the pure {@link Autoscaler} and applies its decisions: samples each function's load ({@code
 * stoke:load:{fn}}, written by the stats listener) on every tick and on every scale signal, and
 * reconciles the instance count through {@link InstanceManager#scaleTo}. Scaling to zero is left to
 * the idle rule (no request started for {@code idleTimeout}), so this never drains a function's
 * last instance.
 */
public final class Autoscaling {

  private static final Logger log = LoggerFactory.getLogger(Autoscaling.class);

  /**
   * How long after an instance became ready a queue report may still describe requests held for it:
   * the gateway releases them on the READY event and polls its gauges every 100 ms, and the stats
   * listener writes the latest gauge at the end of its window.
   */
  static final Duration HELD_REPORT_LAG = Duration.ofMillis(500);

  /** Per-function memory of the autoscaler: its samples and what one decision tells the next. */
  private static final class Memory {
    final LoadHistory history = new LoadHistory();
    AutoscalerState state = AutoscalerState.INITIAL;
    int lastDesired = -1;
  }

  private final FunctionSet functions;
  private final UnifiedJedis redis;
  private final InstanceManager instances;
  private final Clock clock;
  private final Map<String, Memory> memory = new ConcurrentHashMap<>();

  public Autoscaling(
      FunctionSet functions, UnifiedJedis redis, InstanceManager instances, Clock clock) {
    this.functions = functions;
    this.redis = redis;
    this.instances = instances;
    this.clock = clock;
  }

  /** One decision for every function, from the load the stats listener last aggregated. */
  public void tick() {
    memory.keySet().removeIf(name -> functions.find(name).isEmpty());
    for (var def : functions.all()) {
      if (def.mode() == ExecutionMode.HTTP) {
        try {
          var load = redis.hgetAll(RedisKeys.load(def.name()));
          if (load.isEmpty()) {
            // No report (expired, or lost with a Redis restart): unknown, not zero. Decide without
            // a sample, so the averages cover only what was reported.
            evaluate(def, OptionalDouble.empty(), new Report(0, 0, 0));
            continue;
          }
          var report =
              new Report(
                  number(load.get("pending")),
                  number(load.get("inflight")),
                  reportedAt(load.get("at")));
          evaluate(def, OptionalDouble.of(report.pending() + report.inflight()), report);
        } catch (RuntimeException e) {
          log.error("[{}] autoscaling failed", def.name(), e);
        }
      }
    }
  }

  /** A scale signal: requests are queueing now. Decide at once instead of at the next tick. */
  public void signal(String function, double pending, double inflight, long atMs) {
    functions
        .find(function)
        .filter(def -> def.mode() == ExecutionMode.HTTP)
        .ifPresent(
            def ->
                evaluate(
                    def,
                    OptionalDouble.of(pending + inflight),
                    new Report(pending, inflight, atMs)));
  }

  /** What the gateway reported, through the stats listener, at {@code atMs} (epoch ms). */
  record Report(double pending, double inflight, long atMs) {}

  /**
   * Whether a report shows requests waiting for a slot of ready capacity. Requests held while an
   * instance starts are not queueing: the starting instance is capacity on its way. Nor are
   * requests pending while slots are free (held until an instance is routable), nor those in
   * reports made less than {@link #HELD_REPORT_LAG} after the newest instance became ready, which
   * may still count requests that were held for it.
   */
  static boolean queueingNow(Report report, List<Instance> active, ScalingPolicy policy) {
    if (report.pending() <= 0
        || active.isEmpty()
        || active.stream().anyMatch(i -> !i.isReady())
        || policy.unlimitedConcurrency()
        || report.inflight() < (double) active.size() * policy.concurrency()) {
      return false;
    }
    long newestReady = active.stream().mapToLong(Instance::readyAt).max().orElseThrow();
    return report.atMs() >= newestReady + HELD_REPORT_LAG.toMillis();
  }

  private void evaluate(FunctionDefinition def, OptionalDouble concurrency, Report report) {
    var now = Instant.ofEpochMilli(clock.millis());
    var policy = def.scaling();
    var keep = max(policy.stableWindow(), policy.panicWindow()).plusSeconds(1);
    var m = memory.computeIfAbsent(def.name(), k -> new Memory());
    synchronized (m) {
      concurrency.ifPresent(c -> m.history.add(new LoadSample(now, c), keep));
      var active = instances.active(def);
      int current = active.size();
      int starting = (int) active.stream().filter(i -> i.state() == InstanceState.STARTING).count();
      boolean queueing = queueingNow(report, active, policy);
      var load = new FunctionLoad(m.history.samples(), current, starting, queueing, m.state);
      var decision = Autoscaler.decide(load, policy, now);
      m.state = decision.state();
      int desired = Math.max(decision.desired(), Math.min(current, 1));
      if (desired != current) {
        log.info("[{}] scaling {} → {} ({})", def.name(), current, desired, decision.reason());
        instances.scaleTo(def.name(), desired);
      } else if (desired != m.lastDesired) {
        log.debug("[{}] holding {} ({})", def.name(), desired, decision.reason());
      }
      m.lastDesired = desired;
    }
  }

  /** The report's time (epoch ms); a report without one counts as made now. */
  private long reportedAt(String at) {
    if (at != null) {
      try {
        return Long.parseLong(at.strip());
      } catch (NumberFormatException e) {
        log.warn("Ignoring unreadable load time '{}'", at);
      }
    }
    return clock.millis();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static double number(String text) {
    if (text == null) {
      return 0;
    }
    try {
      double value = Double.parseDouble(text.strip());
      return Double.isFinite(value) && value > 0 ? value : 0;
    } catch (NumberFormatException e) {
      log.warn("Ignoring unreadable load value '{}'", text);
      return 0;
    }
  }
}
