package io.stoke.gateway;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.stoke.common.contract.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's meters, tagged by {@code function}: gauges {@code stoke.gateway.inflight} and
 * {@code stoke.gateway.pending}, counters {@code stoke.gateway.requests} (also tagged {@code
 * status}) and {@code stoke.gateway.cold_starts}, timers {@code stoke.gateway.latency} and {@code
 * stoke.gateway.hold} (requests that waited for a cold start or a free slot; both with histogram
 * buckets on Prometheus), and gauge {@code stoke.gateway.instances} (tag {@code state}: the
 * registry's instances as this gateway read it; Prometheus only). Meters are cached so the request
 * path does no registry lookup. The counters are sums read when the registry polls (StatsD: each
 * polling interval, sent as deltas), so a warm request costs one StatsD line, its latency, instead
 * of one per meter.
 */
public final class GatewayMetrics {

  /** The range of status codes a response can carry (three digits, RFC 9110 section 15). */
  private static final int MIN_STATUS = 100;

  private static final int MAX_STATUS = 999;

  /** Instances by state: for the operator (Prometheus), not a load report. */
  static final String INSTANCES = "stoke.gateway.instances";

  static final String LATENCY = "stoke.gateway.latency";

  /** Service-level boundaries always among the latency buckets, whatever the default set is. */
  private static final Duration[] LATENCY_SLOS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final Map<String, FunctionMeters> byFunction = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Gives the latency and hold timers histogram buckets (percentiles in Prometheus: {@code
   * histogram_quantile} over {@code stoke_gateway_latency_seconds_bucket}), from 1 ms to 60 s plus
   * the {@link #LATENCY_SLOS}. Meant for the Prometheus registry only: StatsD gets one line per
   * request and leaves percentiles to its server.
   */
  public static MeterFilter latencyHistograms() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(LATENCY) && !id.getName().equals("stoke.gateway.hold")) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
            .maximumExpectedValue((double) Duration.ofSeconds(60).toNanos())
            .serviceLevelObjectives(
                java.util.Arrays.stream(LATENCY_SLOS).mapToDouble(d -> d.toNanos()).toArray())
            .build()
            .merge(config);
      }
    };
  }

  /** Registers the gauges of a new function. */
  public void register(FunctionGate gate) {
    var name = gate.name();
    var gauges = new ArrayList<Meter>();
    gauges.add(
        Gauge.builder("stoke.gateway.inflight", gate, FunctionGate::inflight)
            .tag("function", name)
            .description("requests in flight to the function's instances")
            .register(registry));
    gauges.add(
        Gauge.builder("stoke.gateway.pending", gate, FunctionGate::pending)
            .tag("function", name)
            .description("requests held for a cold start or queued for a free slot")
            .register(registry));
    for (var state : InstanceState.values()) {
      gauges.add(
          Gauge.builder(INSTANCES, gate, g -> g.instances(state))
              .tag("function", name)
              .tag("state", state.name().toLowerCase(Locale.ROOT))
              .description("the function's instances in the registry, as this gateway last read it")
              .register(registry));
    }
    meters(name).gauges = List.copyOf(gauges);
  }

  /** Removes a removed function's gauges, so it reports no stale load. */
  public void unregister(FunctionGate gate) {
    // The counters stay, as registered meters do: a function published again counts on.
    var meters = byFunction.get(gate.name());
    if (meters != null) {
      meters.gauges.forEach(registry::remove);
      meters.gauges = List.of();
    }
  }

  /** Records one finished request. */
  public void request(String function, int status, long latencyNanos, Lease lease) {
    var meters = meters(function);
    meters.requests(status).increment();
    meters.latency.record(latencyNanos, TimeUnit.NANOSECONDS);
    if (lease != null && (lease.cold() || lease.waitedMs() > 0)) {
      // Only requests that waited: a zero for every warm request would cost a StatsD line each
      // and tell nothing the request counter does not.
      meters.hold.record(lease.waitedMs(), TimeUnit.MILLISECONDS);
      if (lease.cold()) {
        meters.coldStarts.increment();
      }
    }
  }

  private FunctionMeters meters(String function) {
    var meters = byFunction.get(function);
    return meters != null ? meters : byFunction.computeIfAbsent(function, FunctionMeters::new);
  }

  private final class FunctionMeters {
    private final String function;
    private volatile List<Meter> gauges = List.of();

    /** Request counts by status code, index {@code status - MIN_STATUS}. */
    private final AtomicReferenceArray<LongAdder> requests =
        new AtomicReferenceArray<>(MAX_STATUS - MIN_STATUS + 1);

    private final Timer latency;
    private final Timer hold;
    private final LongAdder coldStarts = new LongAdder();

    private FunctionMeters(String function) {
      this.function = function;
      this.latency =
          Timer.builder(LATENCY)
              .tag("function", function)
              .description("time from arrival to the end of the response, hold included")
              .register(registry);
      this.hold =
          Timer.builder("stoke.gateway.hold")
              .tag("function", function)
              .description(
                  "time a request was held for a cold start or queued for a slot (only requests"
                      + " that waited)")
              .register(registry);
      FunctionCounter.builder("stoke.gateway.cold_starts", coldStarts, LongAdder::sum)
          .tag("function", function)
          .description("requests served after waiting for a cold start")
          .register(registry);
    }

    private LongAdder requests(int status) {
      int index = Math.clamp(status, MIN_STATUS, MAX_STATUS) - MIN_STATUS;
      var counter = requests.get(index);
      if (counter == null) {
        var fresh = new LongAdder();
        if (!requests.compareAndSet(index, null, fresh)) {
          return requests.get(index);
        }
        FunctionCounter.builder("stoke.gateway.requests", fresh, LongAdder::sum)
            .tag("function", function)
            .tag("status", Integer.toString(index + MIN_STATUS))
            .description("requests answered, by status")
            .register(registry);
        counter = fresh;
      }
      return counter;
    }
  }
}
