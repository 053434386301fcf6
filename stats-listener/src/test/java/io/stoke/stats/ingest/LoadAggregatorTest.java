package io.stoke.stats.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.Mapping.Mapped;
import io.stoke.stats.statsd.ParseResult.Metric;
import io.stoke.stats.statsd.StatsdParser;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadAggregatorTest {

  private static final long T0 = 1_700_000_000_000L;

  private final IngestCounters counters = new IngestCounters();
  private final FunctionMetricMapper mapper = new FunctionMetricMapper();
  private LoadAggregator aggregator = new LoadAggregator(IngestSettings.defaults(), counters, T0);

  private void send(String source, String line, long at) {
    Metric metric = (Metric) StatsdParser.parse(line);
    aggregator.ingest(source, (Mapped) mapper.map(metric), metric, at);
  }

  @Test
  void signalsAsSoonAsRequestsQueueThenAtMostOncePerDebounce() {
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_active:4|g", T0);
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g", T0);
    assertThat(aggregator.dueSignals(T0)).containsExactly(new ScaleSignal("hello", 3, 4, T0));

    for (long t = T0 + 10; t < T0 + 250; t += 10) {
      send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g", t);
      assertThat(aggregator.dueSignals(t)).isEmpty();
    }
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:5|g", T0 + 250);
    assertThat(aggregator.dueSignals(T0 + 250))
        .containsExactly(new ScaleSignal("hello", 5, 4, T0 + 250));
  }

  @Test
  void doesNotSignalWhileNothingQueues() {
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:0|g", T0);
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_active:9|g", T0);
    assertThat(aggregator.dueSignals(T0)).isEmpty();
  }

  @Test
  void signalsWhenTheQueueIsFullOrRequestsOverflow() {
    send("envoy:1", "envoy.cluster.fn_a.circuit_breakers.default.rq_pending_open:1|g", T0);
    send("envoy:1", "envoy.cluster.fn_b.upstream_rq_pending_overflow:2|c", T0);
    assertThat(aggregator.dueSignals(T0)).extracting(ScaleSignal::function).contains("a", "b");
  }

  @Test
  void keepsTheLatestGaugePerSourceSumsSourcesAndTakesTheLargestHop() {
    send("gw1:1", "stoke.gateway.pending:2|g|#function:hello", T0);
    send("gw1:1", "stoke.gateway.pending:3|g|#function:hello", T0 + 1);
    send("gw2:1", "stoke.gateway.pending:4|g|#function:hello", T0 + 2);
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:5|g", T0 + 3);
    send("gw1:1", "stoke.gateway.inflight:10|g|#function:hello", T0 + 4);
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_active:6|g", T0 + 5);

    FunctionLoad load = aggregator.closeWindow(T0 + 1000).getFirst();

    assertThat(load.pending()).as("gateways 3 + 4 beat Envoy's 5").isEqualTo(7);
    assertThat(load.inflight()).isEqualTo(10);
  }

  @Test
  void countsRequestsAndOverflowPerWindowScaledBySampleRate() {
    send("gw1:1", "stoke.gateway.requests:30|c|#function:hello,status:200", T0 + 100);
    send("gw2:1", "stoke.gateway.requests:20|c|@0.5|#function:hello,status:200", T0 + 200);
    for (int i = 0; i < 8; i++) {
      send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_time:3|ms|@0.1", T0 + 300);
    }
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_overflow:2|c", T0 + 400);

    FunctionLoad first = aggregator.closeWindow(T0 + 2000).getFirst();
    assertThat(first.rps()).as("max(gateway 30 + 40, envoy 80) over 2 s").isEqualTo(40);
    assertThat(first.overflow()).isEqualTo(2);

    FunctionLoad second = aggregator.closeWindow(T0 + 3000).getFirst();
    assertThat(second.rps()).isZero();
    assertThat(second.overflow()).isZero();
  }

  @Test
  void forgetsGaugesAndFunctionsWhoseSendersWentSilent() {
    send("envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g", T0);
    assertThat(aggregator.closeWindow(T0 + 9_000).getFirst().pending()).isEqualTo(3);
    assertThat(aggregator.seriesCount()).isEqualTo(1);

    assertThat(aggregator.closeWindow(T0 + 10_001)).isEmpty();
    assertThat(aggregator.seriesCount()).isZero();
    assertThat(aggregator.functionCount()).isZero();
  }

  @Test
  void dropsAndCountsFunctionsAndSeriesBeyondItsBounds() {
    var tight =
        new IngestSettings(
            65_507,
            4096,
            2,
            3,
            10,
            1000,
            1000,
            Duration.ofSeconds(1),
            Duration.ofMillis(250),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60));
    aggregator = new LoadAggregator(tight, counters, T0);
    for (String fn : new String[] {"a", "b", "c"}) {
      for (String source : new String[] {"s1", "s2"}) {
        send(source, "stoke.gateway.pending:1|g|#function:" + fn, T0);
      }
    }
    assertThat(aggregator.functionCount()).isEqualTo(2);
    assertThat(aggregator.seriesCount()).isEqualTo(3);
    assertThat(counters.get(Counter.DROPPED_FUNCTIONS)).isEqualTo(2);
    assertThat(counters.get(Counter.DROPPED_SERIES)).isEqualTo(1);
  }

  @Test
  void clampsAbsurdValuesSoSumsStayFinite() {
    for (int i = 0; i < 100; i++) {
      send("s" + i, "stoke.gateway.pending:1e300|g|#function:hello", T0);
      send("s" + i, "stoke.gateway.requests:1e300|c|@0.000001|#function:hello", T0);
    }
    FunctionLoad load = aggregator.closeWindow(T0 + 1000).getFirst();
    assertThat(load.pending()).isEqualTo(100 * (long) LoadAggregator.MAX_VALUE);
    assertThat(Double.isFinite(load.rps())).isTrue();
  }
}
