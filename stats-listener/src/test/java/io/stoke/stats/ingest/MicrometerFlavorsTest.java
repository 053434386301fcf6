package io.stoke.stats.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real Micrometer StatsD client, in every flavor, producing the gateway's metrics: its lines go
 * through the whole ingest path and come out as the right function load.
 */
class MicrometerFlavorsTest {

  private static final long T0 = 1_700_000_000_000L;

  @ParameterizedTest
  @EnumSource(StatsdFlavor.class)
  void readsTheGatewaysMetricsInEveryMicrometerFlavor(StatsdFlavor flavor) {
    List<String> lines = new CopyOnWriteArrayList<>();
    StatsdMeterRegistry registry =
        StatsdMeterRegistry.builder(config(flavor)).lineSink(lines::add).build();
    try {
      record(registry);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> lines.stream().filter(l -> l.contains("nflight")).count() >= 2);
    } finally {
      registry.close();
    }

    var counters = new IngestCounters();
    var ingest = new StatsIngest(IngestSettings.defaults(), counters, T0);
    byte[] datagram = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    ingest.accept("127.0.0.1:40000", datagram, datagram.length, T0 + 10);

    List<FunctionLoad> loads = ingest.tick(T0 + 1000).loads();
    assertThat(loads)
        .as("lines: %s", lines)
        .extracting(FunctionLoad::function)
        .containsExactlyInAnyOrder("my-fn", "other");
    FunctionLoad myFn = loads.stream().filter(l -> l.function().equals("my-fn")).findFirst().get();
    assertThat(myFn.pending()).isEqualTo(3);
    assertThat(myFn.inflight()).isEqualTo(5);
    assertThat(myFn.rps()).isEqualTo(4);
    assertThat(counters.get(IngestCounters.Counter.MALFORMED)).as("lines: %s", lines).isZero();
  }

  private static void record(StatsdMeterRegistry registry) {
    var pending = new AtomicInteger(3);
    var inflight = new AtomicInteger(5);
    Gauge.builder("stoke.gateway.pending", pending, AtomicInteger::get)
        .tag("function", "my-fn")
        .register(registry);
    Gauge.builder("stoke.gateway.inflight", inflight, AtomicInteger::get)
        .tag("function", "my-fn")
        .register(registry);
    Gauge.builder("stoke.gateway.inflight", inflight, AtomicInteger::get)
        .tag("function", "other")
        .register(registry);
    Counter requests =
        Counter.builder("stoke.gateway.requests")
            .tags("function", "my-fn", "status", "200")
            .register(registry);
    requests.increment(3);
    requests.increment();
    Counter.builder("stoke.gateway.cold_starts")
        .tag("function", "my-fn")
        .register(registry)
        .increment();
    Timer.builder("stoke.gateway.latency")
        .tag("function", "my-fn")
        .register(registry)
        .record(Duration.ofMillis(12));
    Timer.builder("stoke.gateway.hold")
        .tag("function", "my-fn")
        .register(registry)
        .record(Duration.ofMillis(240));
  }

  private static StatsdConfig config(StatsdFlavor flavor) {
    return new StatsdConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public StatsdFlavor flavor() {
        return flavor;
      }

      @Override
      public Duration pollingFrequency() {
        return Duration.ofMillis(50);
      }

      @Override
      public boolean buffered() {
        return false;
      }
    };
  }
}
