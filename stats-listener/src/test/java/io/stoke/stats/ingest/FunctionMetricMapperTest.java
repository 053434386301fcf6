package io.stoke.stats.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.stats.ingest.Mapping.Mapped;
import io.stoke.stats.statsd.ParseResult.Metric;
import io.stoke.stats.statsd.StatsdParser;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FunctionMetricMapperTest {

  private final FunctionMetricMapper mapper = new FunctionMetricMapper();

  static Stream<Arguments> loadMetrics() {
    return Stream.of(
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g",
            "hello",
            LoadKind.PENDING,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_my-fn.upstream_rq_active:3|g",
            "my-fn",
            LoadKind.INFLIGHT,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_cx_active:1|g",
            "hello",
            LoadKind.CONNECTIONS,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_hello.circuit_breakers.default.rq_pending_open:1|g",
            "hello",
            LoadKind.BREAKER_OPEN,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_pending_overflow:2|c",
            "hello",
            LoadKind.OVERFLOW,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_time:12|ms",
            "hello",
            LoadKind.REQUESTS,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_time:12|h",
            "hello",
            LoadKind.REQUESTS,
            Origin.ENVOY),
        Arguments.of(
            "envoy.cluster.upstream_rq_pending_active:3|g|#envoy.cluster_name:fn_hello",
            "hello",
            LoadKind.PENDING,
            Origin.ENVOY),
        Arguments.of(
            "stoke.gateway.pending:3|g|#statistic:value,function:hello",
            "hello",
            LoadKind.PENDING,
            Origin.GATEWAY),
        Arguments.of(
            "stoke.gateway.inflight:3|g|#function:hello",
            "hello",
            LoadKind.INFLIGHT,
            Origin.GATEWAY),
        Arguments.of(
            "stoke.gateway.requests:5|c|#function:hello,status:200",
            "hello",
            LoadKind.REQUESTS,
            Origin.GATEWAY),
        Arguments.of(
            "stokeGatewayPending.function.hello.statistic.value:3|g",
            "hello",
            LoadKind.PENDING,
            Origin.GATEWAY),
        Arguments.of(
            "stokeGatewayRequests.function.my-fn.statistic.count.status.200:5|c",
            "my-fn",
            LoadKind.REQUESTS,
            Origin.GATEWAY),
        Arguments.of(
            "stoke_gateway_inflight,statistic=value,function=hello:3|g",
            "hello",
            LoadKind.INFLIGHT,
            Origin.GATEWAY),
        Arguments.of(
            "stoke.gateway.pending#statistic=value,function=my_fn2:3|g",
            "my-fn2",
            LoadKind.PENDING,
            Origin.GATEWAY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loadMetrics")
  void mapsEnvoyClustersAndGatewayTagsToFunctions(
      String line, String function, LoadKind kind, Origin origin) {
    assertThat(mapper.map((Metric) StatsdParser.parse(line)))
        .isEqualTo(new Mapped(function, kind, origin));
  }

  static Stream<Arguments> otherMetrics() {
    return Stream.of(
        Arguments.of(
            "envoy.cluster.xds_cluster.upstream_rq_active:3|g", FunctionMetricMapper.NOT_FUNCTION),
        Arguments.of("envoy.cluster.fn_hello.upstream_rq_total:3|c", FunctionMetricMapper.NOT_LOAD),
        Arguments.of(
            "envoy.cluster.fn_Hello.upstream_rq_active:3|g", FunctionMetricMapper.BAD_FUNCTION),
        Arguments.of("envoy.cluster.fn_.upstream_rq_active:3|g", FunctionMetricMapper.BAD_FUNCTION),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_active:3|c", FunctionMetricMapper.WRONG_TYPE),
        Arguments.of(
            "envoy.cluster.fn_hello.upstream_rq_pending_overflow:3|g",
            FunctionMetricMapper.WRONG_TYPE),
        Arguments.of("envoy.server.uptime:3|g", FunctionMetricMapper.NOT_STOKE),
        Arguments.of("envoy.cluster.fn_hello:3|g", FunctionMetricMapper.NOT_STOKE),
        Arguments.of(
            "stoke.gateway.cold_starts:1|c|#function:hello", FunctionMetricMapper.NOT_LOAD),
        Arguments.of("stoke.gateway.latency:12|ms|#function:hello", FunctionMetricMapper.NOT_LOAD),
        Arguments.of("stoke.gateway.pending:1|g|#route:x", FunctionMetricMapper.NOT_LOAD),
        Arguments.of("stokeGatewayPending.route.x:1|g", FunctionMetricMapper.NOT_LOAD),
        Arguments.of("stoke.gateway.pending:1|g|#function:a.b", FunctionMetricMapper.BAD_FUNCTION),
        Arguments.of("jvm.memory.used:1|g|#area:heap", FunctionMetricMapper.NOT_STOKE),
        Arguments.of("other:1|c", FunctionMetricMapper.NOT_STOKE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("otherMetrics")
  void ignoresMetricsThatAreNotAFunctionsLoad(String line, Mapping.Unmapped expected) {
    assertThat(mapper.map((Metric) StatsdParser.parse(line))).isSameAs(expected);
  }
}
