package io.stoke.stats.ingest;

import io.stoke.stats.ingest.Mapping.Mapped;
import io.stoke.stats.ingest.Mapping.Unmapped;
import io.stoke.stats.statsd.MetricType;
import io.stoke.stats.statsd.ParseResult.Metric;
import java.util.Map;

/**
 * Maps a parsed metric to the function and load kind it measures. Pure and stateless.
 *
 * <p>Envoy: cluster {@code fn_<function>}, named in the metric ({@code
 * envoy.cluster.fn_hello.upstream_rq_active}) or, from the {@code dog_statsd} sink, in the tag
 * {@code envoy.cluster_name}. Gateway: {@code stoke.gateway.*} with tag {@code function}, in any
 * Micrometer flavor; flavors rewrite names ({@code stoke_gateway_pending}, {@code
 * stokeGatewayPending.function.hello}) so names are compared with separators and case removed, and
 * Sysdig turns {@code -} into {@code _} in tag values, which is undone because function names have
 * no {@code _}.
 */
public final class FunctionMetricMapper {

  static final Unmapped NOT_STOKE = new Unmapped("not an Envoy cluster or gateway metric");
  static final Unmapped NOT_FUNCTION = new Unmapped("not a function cluster");
  static final Unmapped BAD_FUNCTION = new Unmapped("function name is not [a-z][a-z0-9-]{0,62}");
  static final Unmapped NOT_LOAD = new Unmapped("not a load signal");
  static final Unmapped WRONG_TYPE = new Unmapped("unexpected metric type for this name");

  private static final String ENVOY_CLUSTER = "envoy.cluster.";
  private static final String ENVOY_CLUSTER_TAG = "envoy.cluster_name";
  private static final String CLUSTER_PREFIX = "fn_";
  private static final String FUNCTION_TAG = "function";
  private static final int MAX_FUNCTION_NAME = 63;

  private static final Map<String, LoadKind> ENVOY_STATS =
      Map.of(
          "upstream_rq_pending_active", LoadKind.PENDING,
          "upstream_rq_active", LoadKind.INFLIGHT,
          "upstream_cx_active", LoadKind.CONNECTIONS,
          "circuit_breakers.default.rq_pending_open", LoadKind.BREAKER_OPEN,
          "upstream_rq_pending_overflow", LoadKind.OVERFLOW,
          "upstream_rq_time", LoadKind.REQUESTS);

  /** Gateway metric names without separators, lower case; absent value = known but ignored. */
  private static final Map<String, LoadKind> GATEWAY_METRICS =
      Map.of(
          "stokegatewaypending", LoadKind.PENDING,
          "stokegatewayinflight", LoadKind.INFLIGHT,
          "stokegatewayrequests", LoadKind.REQUESTS);

  public Mapping map(Metric metric) {
    String name = metric.name();
    if (name.startsWith(ENVOY_CLUSTER)) {
      return envoy(metric, name);
    }
    return gateway(metric, name);
  }

  private static Mapping envoy(Metric metric, String name) {
    String cluster = metric.tagOr(ENVOY_CLUSTER_TAG, null);
    String stat;
    if (cluster != null) {
      stat = name.substring(ENVOY_CLUSTER.length());
    } else {
      int dot = name.indexOf('.', ENVOY_CLUSTER.length());
      if (dot < 0) {
        return NOT_STOKE;
      }
      cluster = name.substring(ENVOY_CLUSTER.length(), dot);
      stat = name.substring(dot + 1);
    }
    if (!cluster.startsWith(CLUSTER_PREFIX)) {
      return NOT_FUNCTION;
    }
    LoadKind kind = ENVOY_STATS.get(stat);
    if (kind == null) {
      return NOT_LOAD;
    }
    return mapped(cluster.substring(CLUSTER_PREFIX.length()), kind, Origin.ENVOY, metric.type());
  }

  private static Mapping gateway(Metric metric, String name) {
    if (!metric.tags().isEmpty()) {
      LoadKind kind = GATEWAY_METRICS.get(squash(name, 0, name.length()));
      String function = metric.tagOr(FUNCTION_TAG, null);
      if (kind == null || function == null) {
        return name.startsWith("stoke") ? NOT_LOAD : NOT_STOKE;
      }
      return mapped(function, kind, Origin.GATEWAY, metric.type());
    }
    // Etsy folds tags into the name: stokeGatewayPending.function.hello.statistic.value
    int dot = name.indexOf('.');
    if (dot < 0 || !name.startsWith("stoke")) {
      return NOT_STOKE;
    }
    LoadKind kind = GATEWAY_METRICS.get(squash(name, 0, dot));
    if (kind == null) {
      return NOT_LOAD;
    }
    String function = etsyTag(name, dot + 1, FUNCTION_TAG);
    if (function == null) {
      return NOT_LOAD;
    }
    return mapped(function, kind, Origin.GATEWAY, metric.type());
  }

  /** The value after segment {@code key} in the {@code .key.value} pairs from {@code from}. */
  private static String etsyTag(String name, int from, String key) {
    int at = from;
    while (at < name.length()) {
      int keyEnd = name.indexOf('.', at);
      if (keyEnd < 0) {
        return null;
      }
      int valueEnd = name.indexOf('.', keyEnd + 1);
      if (valueEnd < 0) {
        valueEnd = name.length();
      }
      if (keyEnd - at == key.length() && name.startsWith(key, at)) {
        return name.substring(keyEnd + 1, valueEnd);
      }
      at = valueEnd + 1;
    }
    return null;
  }

  private static Mapping mapped(String rawFunction, LoadKind kind, Origin origin, MetricType type) {
    boolean typeFits =
        kind.isGauge()
            ? type == MetricType.GAUGE
            : type == MetricType.COUNTER || kind == LoadKind.REQUESTS && type.isSample();
    if (!typeFits) {
      return WRONG_TYPE;
    }
    String function = functionName(rawFunction);
    if (function == null) {
      return BAD_FUNCTION;
    }
    return new Mapped(function, kind, origin);
  }

  /** {@code raw} as a function name with {@code _} read as {@code -}, or null if it is not one. */
  static String functionName(String raw) {
    int length = raw.length();
    if (length == 0 || length > MAX_FUNCTION_NAME) {
      return null;
    }
    char first = raw.charAt(0);
    if (first < 'a' || first > 'z') {
      return null;
    }
    for (int i = 1; i < length; i++) {
      char c = raw.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return null;
      }
    }
    return raw.indexOf('_') < 0 ? raw : raw.replace('_', '-');
  }

  /** {@code name[from, to)} lower-cased with everything but letters and digits removed. */
  private static String squash(String name, int from, int to) {
    var squashed = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = name.charAt(i);
      if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        squashed.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        squashed.append((char) (c + ('a' - 'A')));
      }
    }
    return squashed.toString();
  }
}
