package io.stoke.gateway.auth;

import io.stoke.common.management.ManagementAccess;
import io.stoke.common.management.ManagementAccess.Verdict;
import io.stoke.gateway.ErrorReply;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Applies the shared {@link ManagementAccess} rule (health and info open, every other {@code
 * /actuator} path behind {@code Authorization: Bearer <stoke.gateway.metrics-token>}, closed
 * without a token) to the gateway's WebFlux requests. The path is judged as Spring routes it:
 * segments decoded, {@code ;} parameters and empty segments dropped, so {@code /%61ctuator/metrics}
 * or {@code /actuator;x/prometheus} are protected like the plain spelling.
 */
public final class ManagementAccessFilter implements WebFilter, Ordered {

  private final ManagementAccess access;

  /**
   * @param token the bearer token that opens the other endpoints; empty closes them
   */
  public ManagementAccessFilter(String token) {
    this.access = new ManagementAccess(token, "stoke.gateway.metrics-token");
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 5;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = routedPath(exchange.getRequest().getPath().pathWithinApplication());
    String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    return switch (access.judge(List.of(path), authorization)) {
      case Verdict.Allowed allowed -> chain.filter(exchange);
      case Verdict.Refused refused ->
          AuthWebFilter.reject(
              exchange, new ErrorReply(Verdict.Refused.STATUS, refused.message(), null), "");
    };
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
}
