package io.stoke.gateway;

import io.stoke.common.contract.InternalSecret;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The function calls that went through Spring's filters: those of {@code auth: required} functions
 * and a user's invocation of an own http-mode function, after {@link
 * io.stoke.gateway.auth.AuthWebFilter} authenticated the caller (and possibly rewrote the path).
 * Serves them with the {@link FunctionProxy} on the server's own request and response, passing the
 * authenticated user on.
 */
public final class ProxyHandler implements WebHandler {

  private final FunctionProxy proxy;

  public ProxyHandler(FunctionProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange) {
    var request = exchange.getRequest();
    HttpServerRequest nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    HttpServerResponse nativeResponse =
        ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
    String query = request.getURI().getRawQuery();
    var target =
        FunctionProxy.Target.of(request.getPath().value(), query == null ? "" : "?" + query);
    // Set by AuthWebFilter on the exchange's own view; the native headers are the caller's.
    var user = request.getHeaders().getFirst(InternalSecret.USER_HEADER);
    return proxy.serve(nativeRequest, nativeResponse, target, user);
  }
}
