package io.stoke.gateway.auth;

import io.stoke.gateway.ErrorReply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Keeps the gateway's management endpoints to whoever operates it. Health and info stay open on the
 * public port (load balancers and {@code ./stoke up} probe them); every other {@code /actuator}
 * path (Prometheus, metrics, the endpoint index) names every function, users' included, and their
 * load, so it needs {@code Authorization: Bearer <stoke.gateway.metrics-token>}. Without a token
 * configured those paths are closed. The path is judged as Spring routes it: segments decoded,
 * {@code ;} parameters and empty segments dropped, so {@code /%61ctuator/metrics} or {@code
 * /actuator;x/prometheus} are protected like the plain spelling.
 */
public final class ManagementAccessFilter implements WebFilter, Ordered {

  static final Set<String> OPEN =
      Set.of(
          "/actuator/health",
          "/actuator/health/liveness",
          "/actuator/health/readiness",
          "/actuator/info");

  private final byte[] token;

  /**
   * @param token the bearer token that opens the other endpoints; empty closes them
   */
  public ManagementAccessFilter(String token) {
    this.token = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 5;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = routedPath(exchange.getRequest().getPath().pathWithinApplication());
    if (!(path.equals("/actuator") || path.startsWith("/actuator/")) || OPEN.contains(path)) {
      return chain.filter(exchange);
    }
    if (token.length == 0) {
      return AuthWebFilter.reject(
          exchange,
          new ErrorReply(
              401,
              "the gateway's metrics are closed: set stoke.gateway.metrics-token and send it as"
                  + " Authorization: Bearer <token>",
              null),
          "");
    }
    if (!presents(exchange.getRequest().getHeaders())) {
      return AuthWebFilter.reject(
          exchange,
          new ErrorReply(
              401, "management endpoints need Authorization: Bearer <metrics token>", null),
          "");
    }
    return chain.filter(exchange);
  }

  /** The path as handler mappings match it: decoded segments without parameters. */
  public static String routedPath(PathContainer path) {
    var routed = new StringBuilder();
    for (var element : path.elements()) {
      if (element instanceof PathContainer.PathSegment segment
          && !segment.valueToMatch().isEmpty()) {
        routed.append('/').append(segment.valueToMatch());
      }
    }
    return routed.isEmpty() ? "/" : routed.toString();
  }

  private boolean presents(HttpHeaders headers) {
    var authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    var given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }
}
