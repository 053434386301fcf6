package io.stoke.gateway;

import io.stoke.common.definition.ExecutionMode;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Maps every path outside the platform's reserved prefixes to the {@link ProxyHandler}. Actuator
 * endpoints map first (their mapping has a lower order), the dashboard's {@code /ui/} is left to
 * its router; {@code /api/} and {@code mode: exec} functions go to the api-server; {@code /_/} is
 * never a function, so the proxy answers it with the JSON 404.
 */
public final class FunctionHandlerMapping extends AbstractHandlerMapping {

  private final Mono<Object> handler;
  private final Mono<Object> apiHandler;
  private final FunctionTable table;

  /**
   * @param apiHandler serves {@code /api/**} and calls of {@code mode: exec} functions (through the
   *     api-server)
   */
  public FunctionHandlerMapping(
      ProxyHandler handler, io.stoke.gateway.auth.ApiProxyHandler apiHandler, FunctionTable table) {
    this.handler = Mono.just(handler);
    this.apiHandler = Mono.just(apiHandler);
    this.table = table;
    // After actuator (-100) and router functions (-1), before annotated controllers (0) and
    // static resources, so no other mapping can take a function's path.
    setOrder(Ordered.HIGHEST_PRECEDENCE + 1000);
  }

  @Override
  protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
    String path = exchange.getRequest().getPath().value();
    if (path.startsWith("/actuator/") || path.equals("/ui") || path.startsWith("/ui/")) {
      // The dashboard's routes (io.stoke.gateway.ui) serve /ui/.
      return Mono.empty();
    }
    if (path.startsWith("/api/")) {
      return apiHandler;
    }
    var gate = table.gate(FunctionProxy.Target.functionOf(path));
    return gate != null && gate.definition().mode() == ExecutionMode.EXEC ? apiHandler : handler;
  }
}
