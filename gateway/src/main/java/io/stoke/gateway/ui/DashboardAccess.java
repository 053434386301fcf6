package io.stoke.gateway.ui;

import io.stoke.gateway.auth.ApiKeyAuthenticator;
import io.stoke.gateway.auth.Authentication;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Decides who a dashboard request comes from: the key travels in the HttpOnly cookie {@link
 * #COOKIE} the login form set (never in a URL) or in {@code Authorization: Bearer}. The metrics
 * token makes the operator; a valid API key its user.
 */
final class DashboardAccess {

  static final String COOKIE = "stoke_dashboard";

  private final ApiKeyAuthenticator keys;
  private final byte[] operatorToken;
  private final Scheduler blocking;

  /**
   * @param operatorToken {@code stoke.gateway.metrics-token}; empty = no operator login
   */
  DashboardAccess(ApiKeyAuthenticator keys, String operatorToken, Scheduler blocking) {
    this.keys = keys;
    this.operatorToken = operatorToken.getBytes(StandardCharsets.UTF_8);
    this.blocking = blocking;
  }

  /** The key the request presents, from its cookie or its Authorization header. */
  static Optional<String> presentedKey(ServerHttpRequest request) {
    var cookie = request.getCookies().getFirst(COOKIE);
    if (cookie != null && !cookie.getValue().isBlank()) {
      return Optional.of(cookie.getValue());
    }
    var authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(authorization.substring(7).strip());
    }
    return Optional.empty();
  }

  /** The viewer the key belongs to; a {@link Refused} error when it belongs to nobody. */
  Mono<Viewer> viewer(String key) {
    if (key.isBlank()) {
      return Mono.error(new Refused("no key: log in with the metrics token or your API key"));
    }
    if (operatorToken.length > 0
        && MessageDigest.isEqual(operatorToken, key.getBytes(StandardCharsets.UTF_8))) {
      return Mono.just(new Viewer.Operator());
    }
    return Mono.fromCallable(() -> keys.authenticate("Bearer " + key))
        .subscribeOn(blocking)
        .flatMap(
            outcome ->
                switch (outcome) {
                  case Authentication.Authenticated ok -> Mono.just(new Viewer.User(ok.user()));
                  case Authentication.Rejected rejected ->
                      Mono.error(
                          new Refused("wrong key: neither the metrics token nor a valid API key"));
                  case Authentication.Unavailable unavailable ->
                      Mono.error(new IllegalStateException(unavailable.reason()));
                });
  }

  /** A key that opens nothing: answered 401. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }
}
