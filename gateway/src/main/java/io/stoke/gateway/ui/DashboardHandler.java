package io.stoke.gateway.ui;

import io.stoke.common.contract.Json;
import io.stoke.gateway.ErrorReply;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The dashboard's API under {@code /ui/api/}: login and logout (the key goes into an HttpOnly
 * cookie), the session, one server-sent event stream per page (a view each second) and "try it".
 * Every answer but login needs a key; a missing or wrong one is a 401 JSON error.
 */
final class DashboardHandler {

  private final DashboardAccess access;
  private final DashboardViews views;
  private final PlatformHealth health;
  private final TryIt tryIt;
  private final Clock clock;
  private final Scheduler blocking;

  DashboardHandler(
      DashboardAccess access,
      DashboardViews views,
      PlatformHealth health,
      TryIt tryIt,
      Clock clock,
      Scheduler blocking) {
    this.access = access;
    this.views = views;
    this.health = health;
    this.tryIt = tryIt;
    this.clock = clock;
    this.blocking = blocking;
  }

  record Login(String key) {}

  Mono<ServerResponse> login(ServerRequest request) {
    return request
        .bodyToMono(String.class)
        .map(json -> Json.read(json, Login.class))
        .map(login -> login.key() == null ? "" : login.key().strip())
        .defaultIfEmpty("")
        .flatMap(key -> access.viewer(key).map(viewer -> Map.entry(key, viewer)))
        .flatMap(
            entry ->
                json(
                    ServerResponse.ok().cookie(cookie(entry.getKey(), Duration.ofHours(12))),
                    who(entry.getValue())))
        .onErrorResume(e -> error(e));
  }

  Mono<ServerResponse> logout(ServerRequest request) {
    return ServerResponse.noContent().cookie(cookie("", Duration.ZERO)).build();
  }

  Mono<ServerResponse> session(ServerRequest request) {
    return withViewer(request, viewer -> json(ServerResponse.ok(), who(viewer)));
  }

  Mono<ServerResponse> functionsStream(ServerRequest request) {
    return withViewer(
        request, viewer -> stream(() -> Mono.just(views.functions(viewer, clock.millis()))));
  }

  Mono<ServerResponse> functionStream(ServerRequest request) {
    var name = request.pathVariable("name");
    return withViewer(
        request,
        viewer -> {
          if (views.function(viewer, name, clock.millis()) == null) {
            return error(new ErrorReply(404, "no function named " + name, null));
          }
          return stream(
              () ->
                  Mono.fromCallable(
                          () -> {
                            var view = views.function(viewer, name, clock.millis());
                            return view == null ? Map.of("gone", true) : view;
                          })
                      .subscribeOn(blocking));
        });
  }

  Mono<ServerResponse> platformStream(ServerRequest request) {
    return withViewer(
        request,
        viewer ->
            stream(
                () ->
                    health
                        .checks()
                        .map(
                            checks ->
                                Map.of(
                                    "at",
                                    clock.millis(),
                                    "viewer",
                                    who(viewer),
                                    "checks",
                                    checks))));
  }

  Mono<ServerResponse> tryIt(ServerRequest request) {
    var key = DashboardAccess.presentedKey(request.exchange().getRequest()).orElse("");
    int port = request.exchange().getRequest().getLocalAddress().getPort();
    return withViewer(
        request,
        viewer ->
            request
                .bodyToMono(String.class)
                .map(json -> Json.read(json, TryIt.Call.class))
                .switchIfEmpty(Mono.error(new IllegalArgumentException("a JSON body is required")))
                .flatMap(call -> tryIt.call(viewer, key, call, port))
                .flatMap(answer -> json(ServerResponse.ok(), answer))
                .onErrorResume(this::error));
  }

  private Mono<ServerResponse> withViewer(
      ServerRequest request, Function<Viewer, Mono<ServerResponse>> then) {
    var key = DashboardAccess.presentedKey(request.exchange().getRequest()).orElse("");
    return access.viewer(key).flatMap(then).onErrorResume(this::error);
  }

  /** A view every sample interval, computed only while the page is open. */
  private Mono<ServerResponse> stream(java.util.function.Supplier<Mono<? extends Object>> view) {
    Flux<ServerSentEvent<String>> events =
        Flux.interval(Duration.ZERO, DashboardProperties.SAMPLE_INTERVAL)
            .onBackpressureDrop()
            .concatMap(tick -> view.get())
            .map(data -> ServerSentEvent.builder(Json.write(data)).event("view").build());
    return ServerResponse.ok()
        .contentType(MediaType.TEXT_EVENT_STREAM)
        .header("Cache-Control", "no-store")
        .header("X-Accel-Buffering", "no")
        .body(events, ServerSentEvent.class);
  }

  private static Map<String, String> who(Viewer viewer) {
    return switch (viewer) {
      case Viewer.Operator operator -> Map.of("role", "operator");
      case Viewer.User user -> Map.of("role", "user", "user", user.user());
    };
  }

  private static ResponseCookie cookie(String key, Duration maxAge) {
    return ResponseCookie.from(DashboardAccess.COOKIE, key)
        .httpOnly(true)
        .sameSite("Strict")
        .path("/ui")
        .maxAge(maxAge)
        .build();
  }

  private static Mono<ServerResponse> json(ServerResponse.BodyBuilder builder, Object body) {
    return builder
        .contentType(MediaType.APPLICATION_JSON)
        .header("Cache-Control", "no-store")
        .bodyValue(Json.write(body));
  }

  /** The one place dashboard failures become statuses. */
  private Mono<ServerResponse> error(Throwable failure) {
    ErrorReply reply =
        switch (failure) {
          case Reply r -> r.reply;
          case DashboardAccess.Refused refused -> new ErrorReply(401, refused.getMessage(), null);
          case IllegalArgumentException bad -> new ErrorReply(400, bad.getMessage(), null);
          case tools.jackson.core.JacksonException bad ->
              new ErrorReply(400, "malformed JSON: " + bad.getOriginalMessage(), null);
          default -> new ErrorReply(503, "the dashboard cannot answer now: " + failure, null);
        };
    var builder = ServerResponse.status(reply.status()).contentType(MediaType.APPLICATION_JSON);
    if (reply.status() == 401) {
      builder = builder.header("WWW-Authenticate", "Bearer");
    }
    return builder.bodyValue(reply.toJson(""));
  }

  private Mono<ServerResponse> error(ErrorReply reply) {
    return error((Throwable) new Reply(reply));
  }

  /** Carries an {@link ErrorReply} through {@link #error(Throwable)}. */
  private static final class Reply extends RuntimeException {
    private final ErrorReply reply;

    Reply(ErrorReply reply) {
      super(reply.message(), null, false, false);
      this.reply = reply;
    }
  }
}
