package io.stoke.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters, tagged by {@code function}: gauges {@code stoke.gateway.inflight} and
 * {@code stoke.gateway.pending}, counters {@code stoke.gateway.requests} (also tagged {@code
 * status}) and {@code stoke.gateway.cold_starts}, timers {@code stoke.gateway.latency} and {@code
 * stoke.gateway.hold}. Meters are cached so the request path does no registry lookup.
 */
public final class GatewayMetrics {

  private final MeterRegistry registry;
  private final Map<String, FunctionMeters> byFunction = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the gauges of a new function. */
  public void register(FunctionGate gate) {
    var name = gate.name();
    var gauges =
        List.<Meter>of(
            Gauge.builder("stoke.gateway.inflight", gate, FunctionGate::inflight)
                .tag("function", name)
                .description("requests in flight to the function's instances")
                .register(registry),
            Gauge.builder("stoke.gateway.pending", gate, FunctionGate::pending)
                .tag("function", name)
                .description("requests held for a cold start or queued for a free slot")
                .register(registry));
    byFunction.put(name, new FunctionMeters(name, gauges));
  }

  /** Removes a removed function's gauges, so it reports no stale load. */
  public void unregister(FunctionGate gate) {
    var meters = byFunction.remove(gate.name());
    if (meters != null) {
      meters.gauges.forEach(registry::remove);
    }
  }

  /** Records one finished request. */
  public void request(String function, int status, long latencyNanos, Lease lease) {
    var meters = byFunction.computeIfAbsent(function, name -> new FunctionMeters(name, List.of()));
    meters.requests(status).increment();
    meters.latency.record(latencyNanos, TimeUnit.NANOSECONDS);
    if (lease != null) {
      meters.hold.record(lease.waitedMs(), TimeUnit.MILLISECONDS);
      if (lease.cold()) {
        meters.coldStarts.increment();
      }
    }
  }

  private final class FunctionMeters {
    private final String function;
    private final List<Meter> gauges;
    private final Map<Integer, Counter> requests = new ConcurrentHashMap<>();
    private final Timer latency;
    private final Timer hold;
    private final Counter coldStarts;

    private FunctionMeters(String function, List<Meter> gauges) {
      this.function = function;
      this.gauges = gauges;
      this.latency =
          Timer.builder("stoke.gateway.latency")
              .tag("function", function)
              .description("time from arrival to the end of the response, hold included")
              .register(registry);
      this.hold =
          Timer.builder("stoke.gateway.hold")
              .tag("function", function)
              .description("time a request was held for a cold start or queued for a slot")
              .register(registry);
      this.coldStarts =
          Counter.builder("stoke.gateway.cold_starts")
              .tag("function", function)
              .description("requests served after waiting for a cold start")
              .register(registry);
    }

    private Counter requests(int status) {
      return requests.computeIfAbsent(
          status,
          code ->
              Counter.builder("stoke.gateway.requests")
                  .tag("function", function)
                  .tag("status", Integer.toString(code))
                  .register(registry));
    }
  }
}
