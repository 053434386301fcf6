package io.stoke.state.http;

import io.stoke.state.Args;
import io.stoke.state.ErrorCode;
import io.stoke.state.Outcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's admin operations ({@code POST /admin/v1/functions/FN/OP} on the TCP listener,
 * loopback callers only): {@code watch} waits for one event on a node in a session of its own, so a
 * shell needs no session, heartbeat or event loop.
 */
public final class AdminRoutes {

  /** Longest wait of one admin watch. */
  static final long MAX_WATCH_MS = TimeUnit.HOURS.toMillis(1);

  private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
  private static final long SESSION_MS = 10_000;

  /** Each poll is also the session's heartbeat: well within its timeout. */
  private static final long POLL_MS = 3_000;

  private final StateRouter router;

  public AdminRoutes(StateRouter router) {
    this.router = router;
  }

  /** Runs admin operation {@code op} for {@code function}. */
  public Outcome route(String function, String op, Map<String, Object> body) {
    if (!op.equals("watch")) {
      return Outcome.failed(ErrorCode.NotFound, "no admin operation " + op + "; one of [watch]");
    }
    try {
      return watch(function, new Args(body));
    } catch (Args.BadRequest e) {
      return e.outcome();
    }
  }

  /**
   * Sets a one-shot watch on {@code path} ({@code kind} data: also fires on creation; children) and
   * answers {@code fired: true, event} with the first event, or {@code fired: false} after {@code
   * timeoutMs}.
   */
  private Outcome watch(String function, Args args) {
    var path = args.string("path");
    var kind = args.string("kind", "data");
    if (!kind.equals("data") && !kind.equals("children")) {
      throw new Args.BadRequest("kind = " + kind + ", must be one of [data, children]");
    }
    long timeoutMs = args.integer("timeoutMs", 60_000, 0, MAX_WATCH_MS);
    var opened = router.route(function, "sessions/open", Map.of("timeoutMs", SESSION_MS));
    if (!(opened instanceof Outcome.Ok ok)) {
      return opened;
    }
    var session = (String) ok.body().get("session");
    try {
      var op = kind.equals("data") ? "coord/exists" : "coord/children";
      var set = router.route(function, op, Map.of("path", path, "watch", session));
      return set instanceof Outcome.Failed ? set : firstEvent(function, session, timeoutMs);
    } finally {
      if (router.route(function, "sessions/close", Map.of("session", session))
          instanceof Outcome.Failed failed) {
        LOG.warn("admin watch of {}: closing session {} failed: {}", function, session, failed);
      }
    }
  }

  private Outcome firstEvent(String function, String session, long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      var body = Map.<String, Object>of("session", session, "waitMs", Math.min(left, POLL_MS));
      var polled = router.route(function, "sessions/events", body);
      if (!(polled instanceof Outcome.Ok ok)) {
        return polled;
      }
      var events = (List<?>) ok.body().get("events");
      if (!events.isEmpty()) {
        return new Outcome.Ok(Map.of("fired", true, "event", events.get(0)));
      }
      if (left == 0) {
        return new Outcome.Ok(Map.of("fired", false, "timeoutMs", timeoutMs));
      }
    }
  }
}
