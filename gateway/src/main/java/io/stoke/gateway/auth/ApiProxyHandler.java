package io.stoke.gateway.auth;

import io.stoke.common.contract.InternalSecret;
import io.stoke.gateway.ErrorReply;
import io.stoke.gateway.FunctionProxy;
import io.stoke.gateway.HeaderNames;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Forwards {@code /api/**} to the api-server, and calls of definitions-file {@code exec} functions
 * to its {@code /internal/exec/{function}}, adding the internal secret (the user header was set by
 * {@link AuthWebFilter}). Bodies are small and bounded, so both directions are aggregated.
 */
public final class ApiProxyHandler implements WebHandler {

  /** Bodies are aggregated here, so the length is the gateway's to set. */
  private static final HeaderNames NOT_FORWARDED = HeaderNames.HOP_BY_HOP.plus("content-length");

  private final HttpClient client;
  private final String apiBase;
  private final InternalSecret secret;
  private final int maxBodyBytes;

  public ApiProxyHandler(HttpClient client, URI apiUrl, InternalSecret secret, int maxBodyBytes) {
    this.client = client;
    var text = apiUrl.toString();
    this.apiBase = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    this.secret = secret;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange) {
    var request = exchange.getRequest();
    String path = request.getPath().value();
    String query = request.getURI().getRawQuery();
    String target =
        path.startsWith("/api/")
            ? path + (query == null ? "" : "?" + query)
            : "/internal/exec/" + FunctionProxy.Target.functionOf(path);
    return DataBufferUtils.join(request.getBody(), maxBodyBytes)
        .map(
            buffer -> {
              byte[] bytes = new byte[buffer.readableByteCount()];
              buffer.read(bytes);
              DataBufferUtils.release(buffer);
              return bytes;
            })
        .defaultIfEmpty(new byte[0])
        .flatMap(body -> forward(exchange, target, body))
        // The answer arrives on the client connection's loop; it is written on the caller's.
        .transform(reply -> AuthWebFilter.backOnItsLoop(exchange, reply))
        .flatMap(reply -> write(exchange, reply))
        .onErrorResume(
            DataBufferLimitException.class,
            e -> error(exchange, 413, "request body exceeds " + maxBodyBytes + " bytes"))
        .onErrorResume(
            e -> !(e instanceof DataBufferLimitException),
            e -> error(exchange, 502, "api-server unreachable: " + e.getMessage()));
  }

  private Mono<Reply> forward(ServerWebExchange exchange, String target, byte[] body) {
    var request = exchange.getRequest();
    var remote = request.getRemoteAddress();
    return client
        .headers(
            out -> {
              request
                  .getHeaders()
                  .forEach(
                      (name, values) -> {
                        if (!NOT_FORWARDED.contains(name)) {
                          out.add(name, values);
                        }
                      });
              out.set(InternalSecret.HEADER, secret.value());
              if (remote != null && remote.getAddress() != null) {
                var previous = out.get("X-Forwarded-For");
                var address = remote.getAddress().getHostAddress();
                out.set("X-Forwarded-For", previous == null ? address : previous + ", " + address);
                // The peer the gateway itself saw: what the api-server rate-limits by. A caller
                // can write anything into X-Forwarded-For, never into this.
                out.set(InternalSecret.CLIENT_HEADER, address);
              } else {
                out.remove(InternalSecret.CLIENT_HEADER);
              }
            })
        .request(io.netty.handler.codec.http.HttpMethod.valueOf(request.getMethod().name()))
        .uri(apiBase + target)
        .send((req, out) -> out.sendByteArray(Mono.just(body)))
        .responseSingle(
            (upstream, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(
                        bytes ->
                            new Reply(
                                upstream.status().code(),
                                upstream.responseHeaders().entries(),
                                bytes)));
  }

  /** The api-server's answer, read whole on the client's loop. */
  private record Reply(int status, List<Map.Entry<String, String>> headers, byte[] body) {}

  private Mono<Void> write(ServerWebExchange exchange, Reply reply) {
    var response = exchange.getResponse();
    response.setStatusCode(HttpStatusCode.valueOf(reply.status()));
    for (var header : reply.headers()) {
      if (!NOT_FORWARDED.contains(header.getKey())) {
        response.getHeaders().add(header.getKey(), header.getValue());
      }
    }
    return response.writeWith(Mono.just(response.bufferFactory().wrap(reply.body())));
  }

  /** The gateway's JSON error (ErrorReply), as every other error it answers. */
  private static Mono<Void> error(ServerWebExchange exchange, int status, String message) {
    if (exchange.getResponse().isCommitted()) {
      return Mono.empty();
    }
    return AuthWebFilter.reject(exchange, new ErrorReply(status, message, null), "");
  }
}
