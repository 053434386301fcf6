package io.stoke.gateway.auth;

import io.netty.channel.EventLoop;
import io.stoke.common.contract.InternalSecret;
import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.gateway.ErrorReply;
import io.stoke.gateway.FunctionProxy;
import io.stoke.gateway.FunctionTable;
import io.stoke.gateway.logging.RepeatedWarnings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The gateway's authentication: strips any client-sent identity headers, requires a valid API key
 * on every {@code /api/v1} call except registration, token creation and the OpenAPI document, and
 * on definitions-file functions with {@code auth: required}; hides the {@code /u-...} paths of user
 * functions. The authenticated user travels to the api-server in {@code X-Stoke-User}. The owner's
 * invocation of an http-mode user function is rerouted to its internal function path, so the normal
 * proxy serves it (hold while cold, concurrency, timeout) without the caller's API key.
 */
public final class AuthWebFilter implements WebFilter, Ordered {

  private static final Logger log = LoggerFactory.getLogger(AuthWebFilter.class);

  private final ApiKeyAuthenticator authenticator;
  private final FunctionTable table;
  private final Scheduler blocking;
  private final RepeatedWarnings keyStoreWarnings;

  public AuthWebFilter(
      ApiKeyAuthenticator authenticator, FunctionTable table, Scheduler blocking, Clock clock) {
    this.authenticator = authenticator;
    this.table = table;
    this.blocking = blocking;
    this.keyStoreWarnings =
        new RepeatedWarnings(log, "API key lookups", clock, RepeatedWarnings.WINDOW);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 10;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    var request = exchange.getRequest();
    var headers = request.getHeaders();
    if (headers.containsHeader(InternalSecret.USER_HEADER)
        || headers.containsHeader(InternalSecret.HEADER)) {
      exchange =
          exchange
              .mutate()
              .request(
                  r ->
                      r.headers(
                          h -> {
                            h.remove(InternalSecret.USER_HEADER);
                            h.remove(InternalSecret.HEADER);
                          }))
              .build();
    }
    String path = exchange.getRequest().getPath().value();
    if (path.startsWith("/" + FunctionDefinition.USER_PREFIX)) {
      var function = FunctionProxy.Target.functionOf(path);
      return reject(exchange, new ErrorReply(404, "no function named " + function, null), function);
    }
    if (path.startsWith("/api/")) {
      return isPublic(exchange.getRequest().getMethod(), path)
          ? chain.filter(exchange)
          : authenticated(exchange, chain);
    }
    var gate = table.gate(FunctionProxy.Target.functionOf(path));
    if (gate != null && gate.definition().auth() == AuthMode.REQUIRED) {
      return authenticated(exchange, chain);
    }
    return chain.filter(exchange);
  }

  /**
   * The internal name of the caller's own published http-mode function that {@code POST
   * /api/v1/functions/{name}/invoke} addresses, or null: the gateway then proxies the call itself
   * through the function path ({@code /u-<owner>-<name>/}), while exec-mode and unknown functions
   * stay with the api-server.
   */
  private String userHttpFunction(ServerWebExchange exchange, String user) {
    var request = exchange.getRequest();
    if (!HttpMethod.POST.equals(request.getMethod())) {
      return null;
    }
    var name = invokedName(request.getPath().value());
    if (name == null) {
      return null;
    }
    var internal = FunctionDefinition.USER_PREFIX + user + "-" + name;
    var gate = table.gate(internal);
    return gate != null && gate.definition().mode() == ExecutionMode.HTTP ? internal : null;
  }

  /** {@code /api/v1/functions/{name}/invoke} → {@code name}, else null. */
  static String invokedName(String path) {
    var prefix = "/api/v1/functions/";
    var suffix = "/invoke";
    if (!path.startsWith(prefix) || !path.endsWith(suffix)) {
      return null;
    }
    var name = path.substring(prefix.length(), path.length() - suffix.length());
    return name.isEmpty() || name.indexOf('/') >= 0 ? null : name;
  }

  static boolean isPublic(HttpMethod method, String path) {
    return (HttpMethod.POST.equals(method)
            && (path.equals("/api/v1/users") || path.equals("/api/v1/tokens")))
        || (HttpMethod.GET.equals(method) && path.equals("/api/v1/openapi.json"));
  }

  private Mono<Void> authenticated(ServerWebExchange exchange, WebFilterChain chain) {
    var authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
    return backOnItsLoop(
            exchange,
            Mono.fromCallable(() -> authenticator.authenticate(authorization))
                .doOnNext(outcome -> keyStoreWarnings.succeeded())
                .subscribeOn(blocking))
        // Only Redis failing (unreachable, pool exhausted) is "try again"; anything else is a bug
        // and stays a 500 with its stack trace in the log.
        .onErrorResume(
            JedisException.class,
            failure -> {
              keyStoreWarnings.failed("cannot check an API key: " + failure);
              return Mono.just(
                  new Authentication.Unavailable(
                      "cannot check the API key now: the key store is unreachable"));
            })
        .flatMap(
            outcome ->
                switch (outcome) {
                  case Authentication.Authenticated ok ->
                      chain.filter(
                          exchange
                              .mutate()
                              .request(
                                  r -> {
                                    r.headers(h -> h.set(InternalSecret.USER_HEADER, ok.user()));
                                    var internal = userHttpFunction(exchange, ok.user());
                                    if (internal != null) {
                                      r.path("/" + internal + "/");
                                    }
                                  })
                              .build());
                  case Authentication.Rejected rejected ->
                      reject(exchange, new ErrorReply(401, rejected.reason(), null), "");
                  case Authentication.Unavailable unavailable ->
                      reject(
                          exchange,
                          new ErrorReply(503, unavailable.reason(), Duration.ofSeconds(1)),
                          "");
                });
  }

  /**
   * {@code lookup}, continued on the event loop of the exchange's connection: the rest of the
   * exchange (the answer, the proxied call) then runs where Reactor Netty expects it. Answering a
   * request from another thread (a key lookup's, an API client connection's loop) left its
   * connection unread now and then: the next request on it but one was never taken up, and its
   * caller waited out its own timeout.
   */
  static <T> Mono<T> backOnItsLoop(ServerWebExchange exchange, Mono<T> lookup) {
    var loop = eventLoopOf(exchange);
    return loop == null ? lookup : lookup.publishOn(Schedulers.fromExecutor(loop));
  }

  /** The event loop serving the exchange, or null when it is not served by Reactor Netty. */
  private static EventLoop eventLoopOf(ServerWebExchange exchange) {
    Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
    return request instanceof Connection connection ? connection.channel().eventLoop() : null;
  }

  /** The gateway's JSON error, as every other error it answers (ErrorReply). */
  static Mono<Void> reject(ServerWebExchange exchange, ErrorReply reply, String function) {
    var response = exchange.getResponse();
    response.setStatusCode(HttpStatus.valueOf(reply.status()));
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    if (reply.status() == 401) {
      response.getHeaders().set("WWW-Authenticate", "Bearer");
    }
    var retryAfter = reply.retryAfterHeader();
    if (retryAfter != null) {
      response.getHeaders().set("Retry-After", retryAfter);
    }
    var bytes = reply.toJson(function).getBytes(StandardCharsets.UTF_8);
    return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
  }
}
