package io.stoke.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stoke.gateway.GatewayMetrics;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FunctionSeriesTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final MeterReader reader = new MeterReader(registry);

  FunctionSeriesTest() {
    registry.config().meterFilter(GatewayMetrics.latencyHistograms());
  }

  private void requests(int count, int status, long millis) {
    for (int i = 0; i < count; i++) {
      metrics.request("hello", status, TimeUnit.MILLISECONDS.toNanos(millis), null);
    }
  }

  @Test
  void ratesAreCounterDifferencesPerSecondBetweenSamples() {
    var series = new FunctionSeries(60);
    series.record(reader.totals("hello"), Map.of("ready", 0), 0, 0, 1_000);
    requests(8, 200, 5);
    requests(2, 503, 5);
    var sample = series.record(reader.totals("hello"), Map.of("ready", 1), 3, 2, 3_000);

    assertThat(sample.rps()).isEqualTo(5.0);
    assertThat(sample.errorsPerSecond()).isEqualTo(1.0);
    assertThat(sample.requests()).isEqualTo(10);
    assertThat(sample.errors()).isEqualTo(2);
    assertThat(sample.instances()).containsEntry("ready", 1);
    assertThat(sample.pending()).isEqualTo(3);
    assertThat(sample.inflight()).isEqualTo(2);
  }

  @Test
  void percentilesComeFromTheGatewaysOwnLatencyHistogram() {
    var series = new FunctionSeries(60);
    series.record(reader.totals("hello"), Map.of(), 0, 0, 0);
    requests(98, 200, 3);
    requests(2, 200, 800);
    var sample = series.record(reader.totals("hello"), Map.of(), 0, 0, 1_000);

    assertThat(sample.p50Ms()).isNotNull().isBetween(1.0, 5.0);
    assertThat(sample.p99Ms()).isNotNull().isBetween(500.0, 1000.0);
  }

  @Test
  void percentilesForgetRequestsOlderThanTheirWindow() {
    var series = new FunctionSeries(60);
    series.record(reader.totals("hello"), Map.of(), 0, 0, 0);
    requests(50, 200, 900);
    for (int second = 1; second <= FunctionSeries.PERCENTILE_WINDOW + 1; second++) {
      series.record(reader.totals("hello"), Map.of(), 0, 0, second * 1_000L);
    }
    requests(50, 200, 3);
    var sample =
        series.record(
            reader.totals("hello"),
            Map.of(),
            0,
            0,
            (FunctionSeries.PERCENTILE_WINDOW + 2) * 1_000L);

    assertThat(sample.p99Ms()).isLessThan(10.0);
  }

  @Test
  void aWindowWithoutRequestsHasNoPercentiles() {
    var series = new FunctionSeries(60);
    series.record(reader.totals("hello"), Map.of(), 0, 0, 0);
    var sample = series.record(reader.totals("hello"), Map.of(), 0, 0, 1_000);

    assertThat(sample.p50Ms()).isNull();
    assertThat(sample.rps()).isZero();
  }

  @Test
  void keepsOnlyItsCapacityOfSamples() {
    var series = new FunctionSeries(10);
    for (int i = 0; i < 25; i++) {
      series.record(Totals.NONE, Map.of(), 0, 0, i * 1_000L);
    }
    assertThat(series.samples()).hasSize(10);
    assertThat(series.samples().getFirst().at()).isEqualTo(15_000);
    assertThat(series.latest().at()).isEqualTo(24_000);
  }

  @Test
  void refusesASeriesShorterThanThePercentileWindow() {
    assertThatThrownBy(() -> new FunctionSeries(3))
        .hasMessageContaining("must hold at least " + FunctionSeries.PERCENTILE_WINDOW);
  }

  @Test
  void interpolatesInsideTheBucketTheQuantileFallsIn() {
    var before = new Totals(0, 0, 0, new double[] {10, 20}, new long[] {0, 0});
    var after = new Totals(10, 0, 0, new double[] {10, 20}, new long[] {0, 10});

    assertThat(Percentiles.quantile(before, after, 10, 0.5)).isCloseTo(15.0, within(0.001));
  }

  @Test
  void theTimerRegistersForEachFunctionItCounts() {
    requests(1, 200, 1);
    Timer timer = registry.find("stoke.gateway.latency").tag("function", "hello").timer();
    assertThat(timer).isNotNull();
    assertThat(reader.totals("hello").bucketCounts()).isNotEmpty();
  }
}
