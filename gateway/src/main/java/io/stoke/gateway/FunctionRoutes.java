package io.stoke.gateway;

import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Serves plain function calls straight from Reactor Netty, ahead of Spring WebFlux: a call of an
 * http-mode function that needs no authentication, and a path that names no function (the JSON
 * 404), never pass Spring's filter chain, handler mapping and exchange adapters. Everything else
 * falls through to WebFlux: {@code /actuator/**}, {@code /api/**}, the dashboard's {@code /ui/**},
 * the hidden {@code /u-...} paths, {@code mode: exec} functions and {@code auth: required}
 * functions (authenticated by {@link io.stoke.gateway.auth.AuthWebFilter}, then served by {@link
 * ProxyHandler}).
 */
public final class FunctionRoutes implements NettyRouteProvider {

  private final FunctionProxy proxy;
  private final FunctionTable table;

  public FunctionRoutes(FunctionProxy proxy, FunctionTable table) {
    this.proxy = proxy;
    this.table = table;
  }

  @Override
  public HttpServerRoutes apply(HttpServerRoutes routes) {
    return routes.route(
        this::servesDirectly,
        (request, response) ->
            proxy.serve(request, response, FunctionProxy.Target.parse(request.uri()), null));
  }

  /** Whether the request is a plain function call (or names no function at all). */
  boolean servesDirectly(HttpServerRequest request) {
    String function = FunctionProxy.Target.functionOf(request.uri());
    if (function.equals("actuator")
        || function.equals("api")
        || function.equals("ui")
        || function.startsWith(FunctionDefinition.USER_PREFIX)) {
      return false;
    }
    var gate = table.gate(function);
    return gate == null
        || (gate.definition().mode() == ExecutionMode.HTTP
            && gate.definition().auth() != AuthMode.REQUIRED);
  }
}
