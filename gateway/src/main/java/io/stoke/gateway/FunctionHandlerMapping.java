package io.stoke.gateway;

import org.springframework.core.Ordered;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Maps every path outside the platform's reserved prefixes to the {@link ProxyHandler}. Actuator
 * endpoints map first (their mapping has a lower order); {@code /_/} and {@code /api/} are never a
 * function (the names are reserved), so the proxy answers them with the JSON 404.
 */
public final class FunctionHandlerMapping extends AbstractHandlerMapping {

  private final Mono<Object> handler;

  public FunctionHandlerMapping(ProxyHandler handler) {
    this.handler = Mono.just(handler);
    // After actuator (-100) and router functions (-1), before annotated controllers (0) and
    // static resources, so no other mapping can take a function's path.
    setOrder(Ordered.HIGHEST_PRECEDENCE + 1000);
  }

  @Override
  protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
    return exchange.getRequest().getPath().value().startsWith("/actuator/")
        ? Mono.empty()
        : handler;
  }
}
