package io.stoke.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.stoke.common.contract.InternalSecret;
import io.stoke.gateway.cache.AnswerRecorder;
import io.stoke.gateway.cache.CacheKey;
import io.stoke.gateway.cache.CachedReplies;
import io.stoke.gateway.cache.ResultCaches;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.Connection;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves {@code /{function}/**} on Reactor Netty's own request and response: admits the request
 * through the function's {@link FunctionGate} (hold while cold, queue while full), streams it to
 * the chosen instance (or to Envoy) with Reactor Netty's client on the same event loop, and streams
 * the answer back. Nothing here blocks; every failure ends in {@link ErrorReplies}. {@link
 * FunctionRoutes} hands it plain function calls straight from the server; {@link ProxyHandler}
 * hands it those that passed Spring's filters (authentication).
 */
public final class FunctionProxy {

  private static final Logger log = LoggerFactory.getLogger(FunctionProxy.class);

  static final String COLD_START = "X-Stoke-Cold-Start";
  static final String QUEUE_MS = "X-Stoke-Queue-Ms";
  static final String INSTANCE = "X-Stoke-Instance";
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";
  private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
  private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
  private static final String X_FORWARDED_PREFIX = "X-Forwarded-Prefix";

  /** The caller's headers were validated by the server's decoder; copies need no second check. */
  private static final HttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  /** Attempts per request (refused connections, instances gone) before giving up with 502. */
  private static final int MAX_ATTEMPTS = 5;

  /** Methods whose request may be sent twice without a second effect (RFC 9110 section 9.2.2). */
  private static final java.util.Set<HttpMethod> IDEMPOTENT =
      java.util.Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE,
          HttpMethod.PUT,
          HttpMethod.DELETE);

  /** Headers never forwarded to an instance, nor back from it. */
  private static final HeaderNames NOT_FORWARDED =
      HeaderNames.HOP_BY_HOP.plus(
          // The gateway answers a caller's 100-continue itself when it starts reading the body.
          "expect",
          // Identity is the gateway's to assert: a caller's own values never pass.
          InternalSecret.USER_HEADER,
          InternalSecret.HEADER);

  private final FunctionTable table;
  private final RegistryFollower follower;
  private final Upstreams upstreams;
  private final java.net.InetSocketAddress envoyAddress;
  private final String envoyHost;
  private final GatewayMetrics metrics;
  private final StokeProperties.Gateway settings;
  private final ResultCaches caches;

  public FunctionProxy(
      FunctionTable table,
      RegistryFollower follower,
      Upstreams upstreams,
      GatewayMetrics metrics,
      StokeProperties.Gateway settings,
      ResultCaches caches) {
    this.caches = caches;
    this.table = table;
    this.follower = follower;
    this.upstreams = upstreams;
    this.envoyAddress = settings.envoyAddress();
    this.envoyHost = settings.envoyHost();
    this.metrics = metrics;
    this.settings = settings;
  }

  /**
   * Serves one function call on Reactor Netty's own request and response. {@code target} is the
   * request target as routed (a rewritten path for a user's own function); {@code user} is the
   * authenticated caller to pass on in {@code X-Stoke-User}, or null.
   */
  public Mono<Void> serve(
      HttpServerRequest request, HttpServerResponse response, Target target, String user) {
    var call = new Call(target, user);
    var gate = table.gate(target.function());
    if (gate == null) {
      var error = new GatewayException(GatewayException.Kind.UNKNOWN_FUNCTION, unknown(target));
      return writeError(
          response, target.function(), ErrorReplies.classify(error, target.function(), null));
    }
    Duration timeout = gate.definition().timeout();
    long length = contentLength(request);
    call.hasBody =
        length > 0 || request.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
    call.channel = ((Connection) request).channel();
    call.timer = upstreams.timer(call.channel.eventLoop(), call.channel.getClass());
    Mono<Void> work =
        caches.applies(gate.definition(), request.method().name())
            ? cached(request, response, gate, call)
            : attempt(request, response, gate, call, 1);
    Mono<Void> flow =
        length > settings.maxBodySize().toBytes()
            ? Mono.error(tooLarge())
            : within(work, timeout, call.timer);
    var loop = call.channel.eventLoop();
    return flow
        // A failure can come from another thread (a failed cold start, announced on the Redis
        // event thread): its answer is written on the call's own loop, as every answer is.
        .onErrorResume(
            error -> !loop.inEventLoop(), error -> Mono.<Void>error(error).publishOn(call.timer))
        .onErrorResume(
            error -> response.hasSentHeaders() && callerWentAway(error),
            error -> {
              // The caller closed its connection while the answer streamed back: nobody is left
              // to tell, and it is no failure of the gateway or the function.
              log.debug(
                  "[{}] caller went away mid-response: {}", target.function(), error.toString());
              return Mono.empty();
            })
        .onErrorResume(
            error ->
                writeError(
                    response,
                    target.function(),
                    ErrorReplies.classify(error, target.function(), timeout)))
        .doFinally(signal -> record(response, call));
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

  private static String unknown(Target target) {
    return target.function().isEmpty()
        ? "no function at " + target.path()
        : "no function named " + target.function();
  }

  private GatewayException tooLarge() {
    return new GatewayException(
        GatewayException.Kind.BODY_TOO_LARGE,
        "request body exceeds " + settings.maxBodySize().toBytes() + " bytes");
  }

  /**
   * A call of a pure function with a result cache: answered from the cache when it holds the same
   * call, without admission, hold or instance (so a hit keeps no instance warm); else forwarded
   * with its body read whole (to digest it), and the answer stored as it streams back.
   */
  private Mono<Void> cached(
      HttpServerRequest request, HttpServerResponse response, FunctionGate gate, Call call) {
    var definition = gate.definition();
    return wholeBody(request, call)
        .flatMap(
            bytes -> {
              var target = call.target;
              var method = request.method().name();
              var key = CacheKey.of(method, target.path(), target.query(), bytes, call.user);
              var hit = caches.lookup(definition, key);
              if (hit.isPresent()) {
                return CachedReplies.write(response, request.method(), hit.get());
              }
              call.body = bytes;
              call.cached = definition;
              call.cacheKey = key;
              return attempt(request, response, gate, call, 1);
            });
  }

  /** The request body in one array (empty without one), within the body size limit. */
  private Mono<byte[]> wholeBody(HttpServerRequest request, Call call) {
    if (!call.hasBody) {
      return Mono.just(new byte[0]);
    }
    return body(request)
        .collect(
            ByteArrayOutputStream::new,
            (out, buffer) -> {
              try {
                out.writeBytes(AnswerRecorder.bytes(buffer));
              } finally {
                buffer.release();
              }
            })
        .map(ByteArrayOutputStream::toByteArray);
  }

  /**
   * One admission and forward. A failure that left the function untouched, or a request that may
   * safely be sent again ({@link Retry}), admits the request again: on another instance when the
   * one tried was taken out of rotation.
   */
  private Mono<Void> attempt(
      HttpServerRequest request, HttpServerResponse response, FunctionGate gate, Call call, int n) {
    return gate.acquire()
        .flatMap(
            lease -> {
              call.lease = lease;
              return forward(request, response, call, lease).doFinally(signal -> lease.release());
            })
        .onErrorResume(
            Retry.class,
            retry -> {
              if (settings.mode() == StokeProperties.Mode.ENVOY || n >= MAX_ATTEMPTS) {
                return Mono.error(retry.giveUp(call.target.function()));
              }
              follower.refreshLater(call.target.function());
              return attempt(request, response, gate, call, n + 1);
            });
  }

  private Mono<Void> forward(
      HttpServerRequest request, HttpServerResponse response, Call call, Lease lease) {
    var target = call.target;
    boolean envoy = settings.mode() == StokeProperties.Mode.ENVOY;
    var head =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            request.method(),
            envoy ? target.path() + target.query() : target.subPath() + target.query(),
            HEADERS.newHeaders());
    boolean body = call.hasBody;
    copyRequestHeaders(request, head.headers(), call, body);
    head.headers().set(HttpHeaderNames.HOST, envoy ? envoyHost : lease.slot().hostHeader());
    if (body && !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // The caller's framing is hop-by-hop; a body of unknown length goes on in chunks.
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return upstreams
        .send(
            call.channel.eventLoop(),
            call.channel.getClass(),
            envoy ? envoyAddress : lease.slot().address(),
            head,
            body ? requestBody(request, call) : null)
        .onErrorMap(
            FunctionProxy::beforeAnyByteSent,
            e -> {
              if (!envoy) {
                lease.gate().suspend(lease.slot().id());
              }
              return new Retry(e, true);
            })
        .onErrorMap(
            e -> !envoy && e instanceof Upstreams.NoAnswer,
            e -> noAnswer(request, call, lease, (Upstreams.NoAnswer) e))
        .flatMap(answer -> respond(response, call, lease, answer));
  }

  /** The caller's body: the copy read for the cache key, else streamed from the caller. */
  private org.reactivestreams.Publisher<ByteBuf> requestBody(HttpServerRequest request, Call call) {
    var bytes = call.body;
    return bytes == null ? body(request) : Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bytes));
  }

  /**
   * The instance closed the connection without a byte of answer. A fresh connection closed so is
   * the mark of a dead instance behind Docker's userland proxy: it leaves this gateway's rotation
   * (until the registry lists it anew) unless it is the only one, and the request is tried on
   * another. A reused connection may just have been closed as idle: only an idempotent request is
   * sent again. A request whose body was read cannot be sent again at all.
   */
  private Throwable noAnswer(
      HttpServerRequest request, Call call, Lease lease, Upstreams.NoAnswer error) {
    boolean others = lease.gate().slots().size() > 1;
    if (error.fresh() && others) {
      lease.gate().evict(lease.slot());
    }
    boolean again = error.fresh() ? others : IDEMPOTENT.contains(request.method());
    return again && !call.hasBody ? new Retry(error, false) : error;
  }

  private static boolean beforeAnyByteSent(Throwable error) {
    return error instanceof ConnectException || error instanceof ConnectTimeoutException;
  }

  /** The declared Content-Length, or -1 (the server's decoder already refused a malformed one). */
  private static long contentLength(HttpServerRequest request) {
    var value = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException malformed) {
      return -1;
    }
  }

  /** The request body, failing once it grows past the limit. */
  private Flux<ByteBuf> body(HttpServerRequest request) {
    long limit = settings.maxBodySize().toBytes();
    long[] seen = {0};
    return request
        .receive()
        .retain()
        .map(
            buffer -> {
              seen[0] += buffer.readableBytes();
              if (seen[0] > limit) {
                buffer.release();
                throw tooLarge();
              }
              return buffer;
            });
  }

  private void copyRequestHeaders(
      HttpServerRequest request, HttpHeaders target, Call call, boolean body) {
    var headers = request.requestHeaders();
    for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
      var header = it.next();
      if (!NOT_FORWARDED.contains(header.getKey())) {
        target.add(header.getKey(), header.getValue());
      }
    }
    if (!body) {
      target.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    // An auth-required function learns who called, and does not receive the caller's API key.
    if (call.user != null) {
      target.remove(HttpHeaderNames.AUTHORIZATION);
      target.set(InternalSecret.USER_HEADER, call.user);
    }
    var remote = request.remoteAddress();
    if (remote != null && remote.getAddress() != null) {
      var previous = target.get(X_FORWARDED_FOR);
      var client = remote.getAddress().getHostAddress();
      target.set(X_FORWARDED_FOR, previous == null ? client : previous + ", " + client);
    }
    var host = headers.get(HttpHeaderNames.HOST);
    if (host != null) {
      target.set(X_FORWARDED_HOST, host);
    }
    target.set(X_FORWARDED_PROTO, request.scheme());
    target.set(X_FORWARDED_PREFIX, call.target.prefix());
  }

  private Mono<Void> respond(
      HttpServerResponse response, Call call, Lease lease, Upstreams.Answer answer) {
    if (!((Connection) response).channel().isActive()) {
      // The caller is gone already: Reactor Netty would not even read the answer.
      answer.discard();
      return Mono.error(new AbortedException("the caller closed the connection"));
    }
    try {
      copyResponseHead(response, lease, answer.head());
    } catch (RuntimeException e) {
      answer.discard();
      return Mono.error(e);
    }
    if (call.cached != null) {
      response.responseHeaders().set(CachedReplies.HEADER, "miss");
      var recorder =
          caches.recorder(
              call.cached,
              call.cacheKey,
              answer.head().status().code(),
              CachedReplies.storable(
                  response.responseHeaders(), "HEAD".equals(call.cacheKey.method())));
      if (answer.whole() != null) {
        recorder.copy(answer.whole());
        recorder.complete();
        return response.send(Mono.just(answer.whole())).then();
      }
      return response
          .send(answer.body().doOnNext(recorder::copy).doOnComplete(recorder::complete))
          .then();
    }
    if (answer.whole() != null) {
      // The whole answer is in: status, headers and body leave in one write.
      return response.send(Mono.just(answer.whole())).then();
    }
    return response.send(answer.body()).then();
  }

  private void copyResponseHead(HttpServerResponse response, Lease lease, HttpResponse upstream) {
    response.status(upstream.status());
    var headers = response.responseHeaders();
    var upstreamHeaders = upstream.headers();
    for (var it = upstreamHeaders.iteratorCharSequence(); it.hasNext(); ) {
      var header = it.next();
      if (!NOT_FORWARDED.contains(header.getKey())) {
        headers.add(header.getKey(), header.getValue());
      }
    }
    headers.set(COLD_START, lease.cold() ? "true" : "false");
    headers.set(QUEUE_MS, Long.toString(lease.waitedMs()));
    if (settings.mode() == StokeProperties.Mode.ENVOY) {
      var upstreamInstance = upstreamHeaders.get(INSTANCE);
      headers.set(INSTANCE, upstreamInstance == null ? "envoy" : upstreamInstance);
    } else {
      headers.set(INSTANCE, lease.slot().id());
    }
  }

  private static boolean callerWentAway(Throwable error) {
    return error instanceof AbortedException || AbortedException.isConnectionReset(error);
  }

  private Mono<Void> writeError(HttpServerResponse response, String function, ErrorReply reply) {
    if (response.hasSentHeaders()) {
      // The status line is gone; all that is left is to cut the connection.
      return Mono.error(new IllegalStateException(reply.message()));
    }
    response.status(reply.status());
    var headers = response.responseHeaders();
    headers.clear();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    var retryAfter = reply.retryAfterHeader();
    if (retryAfter != null) {
      headers.set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    byte[] json = reply.toJson(function).getBytes(StandardCharsets.UTF_8);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
    return response.sendByteArray(Mono.just(json)).then();
  }

  private void record(HttpServerResponse response, Call call) {
    if (table.gate(call.target.function()) == null) {
      return; // Unknown names are not tagged: a scanner must not mint a meter per path.
    }
    metrics.request(
        call.target.function(),
        response.status().code(),
        System.nanoTime() - call.startNanos,
        call.lease);
  }

  /**
   * Where a request goes: {@code /echo/a/b?x=1} → function {@code echo}, sub-path {@code /a/b}
   * (what the function sees), query {@code ?x=1} (empty or with its {@code ?}).
   */
  public record Target(String function, String path, String subPath, String query) {

    /** The target of a raw request-target (origin form, or absolute form as a proxy receives). */
    public static Target parse(String uri) {
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      String query = q < 0 ? "" : uri.substring(q);
      return of(originPath(path), query);
    }

    /** The target of a path (starting with {@code /}) and a query (empty or from {@code ?}). */
    public static Target of(String path, String query) {
      String function = functionOf(path);
      String subPath = path.substring(Math.min(path.length(), 1 + function.length()));
      return new Target(function, path, subPath.isEmpty() ? "/" : subPath, query);
    }

    /** The function name of a raw request-target, without building a target. */
    public static String functionOf(String uri) {
      if (!uri.startsWith("/")) {
        return parse(uri).function();
      }
      int end = 1;
      while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
        end++;
      }
      return uri.substring(1, end);
    }

    /** {@code http://host:port/a?b} → {@code /a?b}; an origin-form target is returned as is. */
    private static String originPath(String path) {
      if (path.startsWith("/")) {
        return path;
      }
      int scheme = path.indexOf("://");
      if (scheme < 0) {
        return "/" + path;
      }
      int slash = path.indexOf('/', scheme + 3);
      return slash < 0 ? "/" : path.substring(slash);
    }

    /** {@code /function}, as sent in X-Forwarded-Prefix. */
    String prefix() {
      return "/" + function;
    }
  }

  /** One call in flight: its target, caller, client and lease. */
  private static final class Call {
    private final long startNanos = System.nanoTime();
    private final Target target;
    private final String user;
    private Lease lease;
    private Channel channel;
    private boolean hasBody;
    private Scheduler timer;

    /** The body read whole for the cache key, or null when it streams. */
    private byte[] body;

    /** The definition whose result cache stores the answer, or null when it is not cached. */
    private io.stoke.common.definition.FunctionDefinition cached;

    private CacheKey cacheKey;

    private Call(Target target, String user) {
      this.target = target;
      this.user = user;
    }
  }

  /**
   * A forward that may be tried again: the instance refused the connection (nothing reached the
   * function), or closed it without answering a request that may be sent twice.
   */
  private static final class Retry extends RuntimeException {
    private final boolean refused;

    private Retry(Throwable cause, boolean refused) {
      super(cause.getMessage(), cause, false, false);
      this.refused = refused;
    }

    /** The failure to answer once the attempts ran out. */
    Throwable giveUp(String function) {
      if (!refused) {
        return getCause();
      }
      return new GatewayException(
          GatewayException.Kind.UPSTREAM_FAILED,
          "function " + function + " refused the connection: " + getCause().getMessage(),
          Duration.ZERO,
          getCause());
    }
  }
}
