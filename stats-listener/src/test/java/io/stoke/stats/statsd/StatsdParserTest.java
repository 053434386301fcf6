package io.stoke.stats.statsd;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.stats.statsd.ParseResult.Malformed;
import io.stoke.stats.statsd.ParseResult.Metric;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatsdParserTest {

  static Stream<Arguments> wellFormedLines() {
    return Stream.of(
        // Envoy statsd sink, plain names
        row(
            "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g",
            "envoy.cluster.fn_hello.upstream_rq_pending_active",
            3,
            MetricType.GAUGE,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_rq_active:7|g",
            "envoy.cluster.fn_hello.upstream_rq_active",
            7,
            MetricType.GAUGE,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_cx_active:2|g",
            "envoy.cluster.fn_hello.upstream_cx_active",
            2,
            MetricType.GAUGE,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_rq_pending_overflow:2|c",
            "envoy.cluster.fn_hello.upstream_rq_pending_overflow",
            2,
            MetricType.COUNTER,
            1),
        row(
            "envoy.cluster.fn_hello.circuit_breakers.default.rq_pending_open:1|g",
            "envoy.cluster.fn_hello.circuit_breakers.default.rq_pending_open",
            1,
            MetricType.GAUGE,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_rq_time:12|ms",
            "envoy.cluster.fn_hello.upstream_rq_time",
            12,
            MetricType.TIMER,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_rq_time:12.5|h",
            "envoy.cluster.fn_hello.upstream_rq_time",
            12.5,
            MetricType.HISTOGRAM,
            1),
        row(
            "envoy.cluster.fn_hello.upstream_rq_time:12|ms|@0.1",
            "envoy.cluster.fn_hello.upstream_rq_time",
            12,
            MetricType.TIMER,
            0.1),
        // Envoy dog_statsd sink
        row(
            "envoy.cluster.upstream_rq_pending_active:3|g|#envoy.cluster_name:fn_hello",
            "envoy.cluster.upstream_rq_pending_active",
            3,
            MetricType.GAUGE,
            1,
            "envoy.cluster_name",
            "fn_hello"),
        // Micrometer DATADOG
        row(
            "stoke.gateway.requests:5|c|#statistic:count,function:hello,status:200",
            "stoke.gateway.requests",
            5,
            MetricType.COUNTER,
            1,
            "statistic",
            "count",
            "function",
            "hello",
            "status",
            "200"),
        row(
            "stoke.gateway.pending:2|g|@0.5|#function:hello,flag",
            "stoke.gateway.pending",
            2,
            MetricType.GAUGE,
            0.5,
            "function",
            "hello",
            "flag",
            ""),
        row(
            "stoke.gateway.latency:1.5|d|#function:hello|c:abc123|T1700000000",
            "stoke.gateway.latency",
            1.5,
            MetricType.DISTRIBUTION,
            1,
            "function",
            "hello"),
        // Micrometer ETSY: tags folded into the name
        row(
            "stokeGatewayPending.function.hello.statistic.value:3|g",
            "stokeGatewayPending.function.hello.statistic.value",
            3,
            MetricType.GAUGE,
            1),
        // Micrometer TELEGRAF
        row(
            "stoke_gateway_pending,statistic=value,function=hello:3|g",
            "stoke_gateway_pending",
            3,
            MetricType.GAUGE,
            1,
            "statistic",
            "value",
            "function",
            "hello"),
        // Micrometer SYSDIG
        row(
            "stoke.gateway.inflight#statistic=value,function=my_fn:4|g",
            "stoke.gateway.inflight",
            4,
            MetricType.GAUGE,
            1,
            "statistic",
            "value",
            "function",
            "my_fn"),
        // numbers
        row("a:-3|g", "a", -3, MetricType.GAUGE, 1),
        row("a:0.25|c", "a", 0.25, MetricType.COUNTER, 1),
        row("a:.5|c", "a", 0.5, MetricType.COUNTER, 1),
        row("a:1e3|ms", "a", 1000, MetricType.TIMER, 1),
        row("a:12345678901234567890|c", "a", 1.2345678901234567e19, MetricType.COUNTER, 1),
        row("a:anything|s", "a", 1, MetricType.SET, 1),
        row("a:1|c|@1", "a", 1, MetricType.COUNTER, 1),
        row("nämé:1|c", "nämé", 1, MetricType.COUNTER, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormedLines")
  void parsesEveryDialectIntoNameValueTypeRateAndTags(
      String line, String name, double value, MetricType type, double rate, List<Tag> tags) {
    assertThat(StatsdParser.parse(line)).isEqualTo(new Metric(name, value, type, rate, tags));
  }

  static Stream<Arguments> malformedLines() {
    return Stream.of(
        Arguments.of("", StatsdParser.EMPTY),
        Arguments.of("no.value", StatsdParser.NO_VALUE),
        Arguments.of("a:1", StatsdParser.NO_TYPE),
        Arguments.of(":1|c", StatsdParser.BAD_NAME),
        Arguments.of("a b:1|c", StatsdParser.BAD_NAME),
        Arguments.of("a\u0001:1|c", StatsdParser.BAD_NAME),
        Arguments.of(",k=v:1|c", StatsdParser.BAD_NAME),
        Arguments.of("a:|c", StatsdParser.BAD_VALUE),
        Arguments.of("a:NaN|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:Infinity|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:1e999|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:0x10|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:3d|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:+3|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:1e|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:-|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:1:2|g", StatsdParser.BAD_VALUE),
        Arguments.of("a:1|x", StatsdParser.BAD_TYPE),
        Arguments.of("a:1|", StatsdParser.BAD_TYPE),
        Arguments.of("a:1|mss", StatsdParser.BAD_TYPE),
        Arguments.of("a:1|c|@0", StatsdParser.BAD_RATE),
        Arguments.of("a:1|c|@2", StatsdParser.BAD_RATE),
        Arguments.of("a:1|c|@NaN", StatsdParser.BAD_RATE),
        Arguments.of("a:1|c|@", StatsdParser.BAD_RATE),
        Arguments.of("a:1|c|#:v", StatsdParser.BAD_TAG),
        Arguments.of("a,=v:1|c", StatsdParser.BAD_TAG),
        Arguments.of("a:1|c|", StatsdParser.BAD_SECTION),
        Arguments.of("a:1|c||#k:v", StatsdParser.BAD_SECTION),
        Arguments.of("a:1|c|zz", StatsdParser.BAD_SECTION));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedLines")
  void refusesMalformedLinesWithAReason(String line, Malformed expected) {
    assertThat(StatsdParser.parse(line)).isSameAs(expected);
  }

  private static Arguments row(
      String line, String name, double value, MetricType type, double rate, String... tags) {
    var parsedTags =
        Stream.iterate(0, i -> i < tags.length, i -> i + 2)
            .map(i -> new Tag(tags[i], tags[i + 1]))
            .toList();
    return Arguments.of(line, name, value, type, rate, parsedTags);
  }
}
