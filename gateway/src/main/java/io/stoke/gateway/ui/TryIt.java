package io.stoke.gateway.ui;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * The "try it" page's call: sent to this gateway's own port exactly as a client would send it (an
 * operator calls {@code /{function}{path}}, a user {@code POST /api/v1/functions/{name}/invoke}
 * with their key), answered with the status, the headers, the body and the time it took.
 */
final class TryIt {

  /** The part of an answer's body the page shows. */
  static final int MAX_BODY = 64 * 1024;

  static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

  /** What the page sends. */
  record Call(
      String function, String method, String path, Map<String, String> headers, String body) {
    Call {
      if (function == null || function.isBlank()) {
        throw new IllegalArgumentException("function: required");
      }
      method =
          method == null || method.isBlank() ? "GET" : method.toUpperCase(java.util.Locale.ROOT);
      if (!METHODS.contains(method)) {
        throw new IllegalArgumentException(
            "method = " + method + ", must be one of " + List.copyOf(METHODS));
      }
      path = path == null || path.isBlank() ? "/" : path;
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path = " + path + ", must start with /");
      }
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      body = body == null ? "" : body;
    }
  }

  /** What the page shows. */
  record Answer(int status, Map<String, String> headers, String body, long ms) {}

  private final HttpClient client;

  TryIt(HttpClient client) {
    this.client = client;
  }

  Mono<Answer> call(Viewer viewer, String key, Call call, int gatewayPort) {
    String uri;
    String method;
    if (viewer instanceof Viewer.User) {
      uri = "/api/v1/functions/" + call.function() + "/invoke";
      method = "POST";
    } else {
      uri = "/" + call.function() + call.path();
      method = call.method();
    }
    long start = System.nanoTime();
    byte[] body = call.body().getBytes(StandardCharsets.UTF_8);
    return client
        .baseUrl("http://127.0.0.1:" + gatewayPort)
        .headers(
            h -> {
              call.headers().forEach(h::set);
              if (viewer instanceof Viewer.User) {
                h.set("Authorization", "Bearer " + key);
              }
            })
        .request(HttpMethod.valueOf(method))
        .uri(uri)
        .send(
            body.length == 0 ? ByteBufFlux.empty() : ByteBufFlux.fromString(Mono.just(call.body())))
        .responseSingle(
            (response, content) ->
                content
                    .asString(StandardCharsets.UTF_8)
                    .defaultIfEmpty("")
                    .map(
                        text -> {
                          var headers = new LinkedHashMap<String, String>();
                          response
                              .responseHeaders()
                              .forEach(e -> headers.put(e.getKey(), e.getValue()));
                          return new Answer(
                              response.status().code(),
                              headers,
                              text.length() > MAX_BODY ? text.substring(0, MAX_BODY) : text,
                              (System.nanoTime() - start) / 1_000_000);
                        }));
  }
}
