package io.stoke.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.stoke.gateway.auth.GatewaySecret;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerRequest;
import reactor.util.context.Context;

/**
 * Serves {@code /{function}/**}: admits the request through the function's {@link FunctionGate}
 * (hold while cold, queue while full), streams it to the chosen instance (or to Envoy) with Reactor
 * Netty's client on the same event loops, and streams the answer back. Nothing here blocks; every
 * failure ends in {@link ErrorReplies}.
 */
public final class ProxyHandler implements WebHandler {

  private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

  static final String COLD_START = "X-Stoke-Cold-Start";
  static final String QUEUE_MS = "X-Stoke-Queue-Ms";
  static final String INSTANCE = "X-Stoke-Instance";

  /** Connection-refused retries per request before giving up with 502. */
  private static final int MAX_ATTEMPTS = 5;

  /**
   * Headers that describe one hop, never forwarded (RFC 9110 section 7.6.1); matched ignoring case
   * without lower-casing (no copy per header).
   */
  private static final Set<String> HOP_BY_HOP = hopByHop();

  private static Set<String> hopByHop() {
    var names = new TreeSet<String>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(
        List.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            // Identity is the gateway's to assert: a caller's own values never pass.
            GatewaySecret.USER_HEADER,
            GatewaySecret.HEADER));
    return Collections.unmodifiableSet(names);
  }

  /**
   * Leaves the Reactor context as it is, but its subscriber holds the context, so the many context
   * lookups inside Reactor Netty's client stop there instead of walking every operator of the
   * gateway and of Spring's handler chain (a measured hot spot).
   */
  private static final Function<Context, Context> KEEP_CONTEXT = context -> context;

  private final FunctionTable table;
  private final RegistryFollower follower;
  private final FunctionClients clients;
  private final GatewayMetrics metrics;
  private final StokeProperties.Gateway settings;

  public ProxyHandler(
      FunctionTable table,
      RegistryFollower follower,
      FunctionClients clients,
      GatewayMetrics metrics,
      StokeProperties.Gateway settings) {
    this.table = table;
    this.follower = follower;
    this.clients = clients;
    this.metrics = metrics;
    this.settings = settings;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange) {
    var call = Call.parse(exchange.getRequest());
    var gate = table.gate(call.function);
    if (gate == null) {
      var error = new GatewayException(GatewayException.Kind.UNKNOWN_FUNCTION, unknown(call));
      return writeError(exchange, call.function, ErrorReplies.classify(error, call.function, null));
    }
    Duration timeout = gate.definition().timeout();
    long length = exchange.getRequest().getHeaders().getContentLength();
    call.local = clients.forRequest(exchange.getRequest());
    Mono<Void> flow =
        length > settings.maxBodySize().toBytes()
            ? Mono.error(tooLarge())
            : within(attempt(exchange, gate, call, 1), timeout, call.local.timer());
    return flow.onErrorResume(
            error -> exchange.getResponse().isCommitted() && callerWentAway(error),
            error -> {
              // The caller closed its connection while the answer streamed back: nobody is left
              // to tell, and it is no failure of the gateway or the function.
              log.debug("[{}] caller went away mid-response: {}", call.function, error.toString());
              return Mono.empty();
            })
        .onErrorResume(
            error ->
                writeError(
                    exchange, call.function, ErrorReplies.classify(error, call.function, timeout)))
        .doFinally(signal -> record(exchange, call))
        .contextWrite(KEEP_CONTEXT);
  }

  /**
   * Fails {@code flow} with a {@link TimeoutException} unless it ends within {@code timeout}, timed
   * on {@code timer} (the request's event loop). Mono.timeout would do the same, but it builds a
   * description string by scanning the operator chain on every subscription.
   */
  private static Mono<Void> within(Mono<Void> flow, Duration timeout, Scheduler timer) {
    Mono<Void> deadline =
        Mono.delay(timeout, timer)
            .then(Mono.error(() -> new TimeoutException("no answer within " + timeout)));
    return Mono.firstWithSignal(flow, deadline);
  }

  private static String unknown(Call call) {
    return call.function.isEmpty()
        ? "no function at " + call.subPath
        : "no function named " + call.function;
  }

  private GatewayException tooLarge() {
    return new GatewayException(
        GatewayException.Kind.BODY_TOO_LARGE,
        "request body exceeds " + settings.maxBodySize().toBytes() + " bytes");
  }

  /** One admission and forward; a refused connection suspends the instance and admits again. */
  private Mono<Void> attempt(ServerWebExchange exchange, FunctionGate gate, Call call, int n) {
    return gate.acquire()
        .flatMap(
            lease -> {
              call.lease = lease;
              return forward(exchange, call, lease).doFinally(signal -> lease.release());
            })
        .onErrorResume(
            Refused.class,
            refused -> {
              if (settings.mode() == StokeProperties.Mode.ENVOY || n >= MAX_ATTEMPTS) {
                return Mono.error(
                    new GatewayException(
                        GatewayException.Kind.UPSTREAM_FAILED,
                        "function "
                            + call.function
                            + " refused the connection: "
                            + refused.getCause().getMessage(),
                        Duration.ZERO,
                        refused.getCause()));
              }
              gate.suspend(refused.instanceId);
              follower.refreshLater(call.function);
              return attempt(exchange, gate, call, n + 1);
            });
  }

  private Mono<Void> forward(ServerWebExchange exchange, Call call, Lease lease) {
    var request = exchange.getRequest();
    boolean envoy = settings.mode() == StokeProperties.Mode.ENVOY;
    String uri =
        envoy
            ? settings.envoyBase() + call.fullTarget
            : lease.slot().baseUri() + call.subPath + call.query;
    return call.local
        .client()
        .request(HttpMethod.valueOf(request.getMethod().name()))
        .uri(uri)
        .send(
            (out, outbound) -> {
              copyRequestHeaders(request, out.requestHeaders(), call);
              return hasBody(request) ? outbound.send(body(request)) : outbound;
            })
        .responseConnection(
            (response, connection) -> respond(exchange, lease, response, connection))
        .then()
        .onErrorMap(ProxyHandler::beforeAnyByteSent, e -> new Refused(lease.slot().id(), e))
        .contextWrite(KEEP_CONTEXT);
  }

  private static boolean beforeAnyByteSent(Throwable error) {
    return error instanceof ConnectException || error instanceof ConnectTimeoutException;
  }

  private static boolean hasBody(ServerHttpRequest request) {
    var headers = request.getHeaders();
    return headers.getContentLength() > 0 || headers.containsHeader("Transfer-Encoding");
  }

  /** The request body as Netty buffers, failing once it grows past the limit. */
  private Flux<ByteBuf> body(ServerHttpRequest request) {
    long limit = settings.maxBodySize().toBytes();
    long[] seen = {0};
    return request
        .getBody()
        .map(
            buffer -> {
              seen[0] += buffer.readableByteCount();
              if (seen[0] > limit) {
                org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                throw tooLarge();
              }
              return NettyDataBufferFactory.toByteBuf(buffer);
            });
  }

  private void copyRequestHeaders(ServerHttpRequest request, HttpHeaders target, Call call) {
    HttpServerRequest nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    // The client's own defaults would otherwise sit beside the caller's values: forward only
    // what the caller sent.
    target.remove(HttpHeaderNames.USER_AGENT);
    target.remove(HttpHeaderNames.ACCEPT);
    for (var header : nativeRequest.requestHeaders()) {
      if (!HOP_BY_HOP.contains(header.getKey())) {
        target.add(header.getKey(), header.getValue());
      }
    }
    if (!hasBody(request)) {
      target.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    // Set by AuthWebFilter on the exchange's own view (the native headers above are the caller's):
    // an auth-required function learns who called, and does not receive the caller's API key.
    var user = request.getHeaders().getFirst(GatewaySecret.USER_HEADER);
    if (user != null) {
      target.remove(HttpHeaderNames.AUTHORIZATION);
      target.set(GatewaySecret.USER_HEADER, user);
    }
    var remote = request.getRemoteAddress();
    if (remote != null && remote.getAddress() != null) {
      var previous = target.get("X-Forwarded-For");
      var client = remote.getAddress().getHostAddress();
      target.set("X-Forwarded-For", previous == null ? client : previous + ", " + client);
    }
    var host = nativeRequest.requestHeaders().get(HttpHeaderNames.HOST);
    if (host != null) {
      target.set("X-Forwarded-Host", host);
    }
    target.set("X-Forwarded-Proto", nativeRequest.scheme());
    target.set("X-Forwarded-Prefix", "/" + call.function);
  }

  private Mono<Void> respond(
      ServerWebExchange exchange, Lease lease, HttpClientResponse upstream, Connection connection) {
    var response = exchange.getResponse();
    response.setStatusCode(HttpStatusCode.valueOf(upstream.status().code()));
    var headers = response.getHeaders();
    for (var header : upstream.responseHeaders()) {
      if (!HOP_BY_HOP.contains(header.getKey())) {
        headers.add(header.getKey(), header.getValue());
      }
    }
    headers.set(COLD_START, lease.cold() ? "true" : "false");
    headers.set(QUEUE_MS, Long.toString(lease.waitedMs()));
    var upstreamInstance = upstream.responseHeaders().get(INSTANCE);
    headers.set(
        INSTANCE,
        settings.mode() == StokeProperties.Mode.ENVOY
            ? (upstreamInstance == null ? "envoy" : upstreamInstance)
            : lease.slot().id());
    var factory = (NettyDataBufferFactory) response.bufferFactory();
    Flux<DataBuffer> body = connection.inbound().receive().retain().map(factory::wrap);
    return response.writeWith(body);
  }

  private static boolean callerWentAway(Throwable error) {
    return error instanceof reactor.netty.channel.AbortedException
        || reactor.netty.channel.AbortedException.isConnectionReset(error);
  }

  private Mono<Void> writeError(ServerWebExchange exchange, String function, ErrorReply reply) {
    var response = exchange.getResponse();
    if (response.isCommitted()) {
      // The status line is gone; all that is left is to cut the connection.
      return Mono.error(new IllegalStateException(reply.message()));
    }
    response.setStatusCode(HttpStatusCode.valueOf(reply.status()));
    var headers = response.getHeaders();
    headers.clear();
    headers.setContentType(MediaType.APPLICATION_JSON);
    var retryAfter = reply.retryAfterHeader();
    if (retryAfter != null) {
      headers.set("Retry-After", retryAfter);
    }
    byte[] json = reply.toJson(function).getBytes(StandardCharsets.UTF_8);
    headers.setContentLength(json.length);
    return response.writeWith(Mono.just(response.bufferFactory().wrap(json)));
  }

  private void record(ServerWebExchange exchange, Call call) {
    if (table.gate(call.function) == null) {
      return; // Unknown names are not tagged: a scanner must not mint a meter per path.
    }
    var status = exchange.getResponse().getStatusCode();
    metrics.request(
        call.function,
        status == null ? 200 : status.value(),
        System.nanoTime() - call.startNanos,
        call.lease);
  }

  /** The function addressed by a request and what the function sees of it. */
  private static final class Call {
    private final long startNanos = System.nanoTime();
    private final String function;
    private final String subPath;
    private final String query;
    private final String fullTarget;
    private Lease lease;
    private FunctionClients.Local local;

    private Call(String function, String subPath, String query, String fullTarget) {
      this.function = function;
      this.subPath = subPath;
      this.query = query;
      this.fullTarget = fullTarget;
    }

    /** {@code /echo/a/b?x=1} → function {@code echo}, sub-path {@code /a/b}, query {@code ?x=1}. */
    static Call parse(ServerHttpRequest request) {
      String path = request.getPath().value();
      String rawQuery = request.getURI().getRawQuery();
      String query = rawQuery == null ? "" : "?" + rawQuery;
      int end = path.indexOf('/', 1);
      String function =
          end < 0 ? path.substring(Math.min(1, path.length())) : path.substring(1, end);
      String subPath = end < 0 ? "/" : path.substring(end);
      return new Call(function, subPath, query, path + query);
    }
  }

  /** The instance refused the connection: nothing reached the function, so another may serve it. */
  private static final class Refused extends RuntimeException {
    private final String instanceId;

    private Refused(String instanceId, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.instanceId = instanceId;
    }
  }
}
