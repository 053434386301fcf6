package io.stoke.state.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.stoke.state.ErrorCode;
import io.stoke.state.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/1.1 + JSON in front of the {@link StateRouter}: every operation is a POST with a JSON object
 * body, answered with a JSON object and a status. Operations block on Redis, so they run on virtual
 * threads, never on the event loop.
 */
public final class HttpTransport {

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final StateRouter router;
  private final AdminRoutes admin;
  private final int maxBodyBytes;
  private final Scheduler blocking;

  public HttpTransport(StateRouter router, int maxBodyBytes, ExecutorService virtualThreads) {
    this.router = router;
    this.admin = new AdminRoutes(router);
    this.maxBodyBytes = maxBodyBytes;
    this.blocking = Schedulers.fromExecutorService(virtualThreads);
  }

  /** Handles one request; {@code socketFunction} is the function of a Unix socket, null on TCP. */
  public Mono<Void> handle(
      HttpServerRequest request, HttpServerResponse response, String socketFunction) {
    // /actuator/health as the other services answer it, for ./stoke up and compose health checks.
    if (request.uri().equals("/healthz") || request.uri().equals("/actuator/health")) {
      return send(response, 200, Map.of("status", "UP"));
    }
    var adminTarget =
        socketFunction == null ? Target.admin(request.uri()) : Optional.<Target>empty();
    boolean isAdmin = adminTarget.isPresent();
    var target = isAdmin ? adminTarget : Target.of(request.uri(), socketFunction);
    var headers = request.requestHeaders();
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      response.keepAlive(false);
      return fail(
          response, Outcome.failed(ErrorCode.LengthRequired, "send Content-Length, not chunks"));
    }
    long length = contentLength(headers.get(HttpHeaderNames.CONTENT_LENGTH));
    if (length < 0) {
      response.keepAlive(false);
      return fail(
          response, Outcome.failed(ErrorCode.BadArguments, "Content-Length must be a number"));
    }
    if (length > maxBodyBytes) {
      // The body is not read: the connection cannot be reused after this answer.
      response.keepAlive(false);
      return fail(
          response,
          new Outcome.Failed(
              ErrorCode.TooLarge,
              Map.of(
                  "message",
                  "body of " + length + " bytes",
                  "limit",
                  "max-body-bytes",
                  "max",
                  maxBodyBytes)));
    }
    Outcome refused =
        target.isEmpty()
            ? Outcome.failed(ErrorCode.NotFound, "unknown path; see docs/STATE.md")
            : !request.method().equals(HttpMethod.POST)
                ? Outcome.failed(ErrorCode.MethodNotAllowed, "every operation is a POST")
                : isAdmin && !fromLoopback(request)
                    ? Outcome.failed(ErrorCode.Forbidden, "admin operations answer loopback only")
                    : null;
    // The body is read even for a refused request: bytes left unread on a keep-alive connection
    // would be taken for the next request on it.
    return request
        .receive()
        .aggregate()
        .asByteArray()
        .defaultIfEmpty(new byte[0])
        .flatMap(
            body ->
                refused != null
                    ? Mono.just(refused)
                    : Mono.fromCallable(() -> run(target.get(), isAdmin, body))
                        .subscribeOn(blocking))
        .onErrorResume(e -> Mono.just(unexpected(e)))
        .flatMap(outcome -> reply(response, outcome));
  }

  /** The declared body length, 0 when absent, -1 when not a number. */
  static long contentLength(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Math.max(-1, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean fromLoopback(HttpServerRequest request) {
    var remote = request.remoteAddress();
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress();
  }

  private Outcome run(Target target, boolean isAdmin, byte[] body) {
    Map<String, Object> fields;
    try {
      fields = body.length == 0 ? Map.of() : JSON.readValue(body, MAP);
    } catch (JacksonException | ClassCastException e) {
      return Outcome.failed(ErrorCode.BadArguments, "the body must be one JSON object");
    }
    if (fields == null) {
      return Outcome.failed(ErrorCode.BadArguments, "the body must be one JSON object");
    }
    try {
      return isAdmin
          ? admin.route(target.function(), target.route(), fields)
          : router.route(target.function(), target.route(), fields);
    } catch (RuntimeException e) {
      LOG.error("{} of {} failed", target.route(), target.function(), e);
      return Outcome.failed(ErrorCode.Internal, "internal error: " + e.getClass().getSimpleName());
    }
  }

  /** Every answer is JSON, even while shutting down (no thread left to run the operation). */
  private static Outcome unexpected(Throwable error) {
    if (Exceptions.unwrap(error) instanceof RejectedExecutionException) {
      return Outcome.failed(ErrorCode.Unavailable, "the state service is shutting down");
    }
    if (error instanceof reactor.netty.channel.AbortedException) {
      LOG.debug("the client went away before its answer: {}", error.toString());
    } else {
      LOG.error("a request failed outside its operation", error);
    }
    return Outcome.failed(
        ErrorCode.Internal, "internal error: " + error.getClass().getSimpleName());
  }

  private Mono<Void> reply(HttpServerResponse response, Outcome outcome) {
    return switch (outcome) {
      case Outcome.Ok ok -> send(response, 200, ok.body());
      case Outcome.Failed failed -> fail(response, failed);
    };
  }

  private Mono<Void> fail(HttpServerResponse response, Outcome.Failed failed) {
    var body = new LinkedHashMap<String, Object>(failed.details());
    body.put("error", failed.code().name());
    body.put("status", failed.code().status());
    return send(response, failed.code().status(), body);
  }

  private static Mono<Void> send(
      HttpServerResponse response, int status, Map<String, Object> body) {
    var bytes = JSON.writeValueAsBytes(body);
    return response
        .status(HttpResponseStatus.valueOf(status))
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length))
        .sendByteArray(Mono.just(bytes))
        .then();
  }
}
