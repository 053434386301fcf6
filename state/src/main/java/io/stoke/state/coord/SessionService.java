package io.stoke.state.coord;

import io.stoke.state.Args;
import io.stoke.state.Outcome;
import io.stoke.state.StateProperties;
import io.stoke.state.redis.LuaScript;
import io.stoke.state.redis.Replies;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sessions of clients of the coordination tree: open with a timeout, kept alive by heartbeats (and
 * by polling events), closed or expired; and the long-poll of a session's watch events.
 */
public final class SessionService {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LuaScript coord;
  private final LuaScript events;
  private final EventNotifier notifier;
  private final StateProperties properties;

  public SessionService(
      LuaScript coord, LuaScript events, EventNotifier notifier, StateProperties properties) {
    this.coord = coord;
    this.events = events;
    this.notifier = notifier;
    this.properties = properties;
  }

  /** Opens a session of {@code timeoutMs} (default 10 s) owned by the function. */
  public Outcome open(String function, Args args) {
    long timeout =
        args.integer(
            "timeoutMs",
            Math.max(properties.minSessionTimeout().toMillis(), 10_000),
            properties.minSessionTimeout().toMillis(),
            properties.maxSessionTimeout().toMillis());
    var id = HexFormat.of().formatHex(bytes());
    return session("open", id, function, timeout);
  }

  public Outcome heartbeat(String function, Args args) {
    return session("heartbeat", args.string("session"), function, 0);
  }

  /** Closes a session: its ephemeral nodes go at once, as at expiry. */
  public Outcome close(String function, Args args) {
    return session("close", args.string("session"), function, 0);
  }

  /**
   * The session's events after {@code after} (events up to it are acknowledged and dropped),
   * waiting up to {@code waitMs} for one. Also a heartbeat while the session is open.
   */
  public Outcome poll(String function, Args args) {
    var id = args.string("session");
    long after = args.integer("after", 0, 0, Long.MAX_VALUE);
    long waitMs = args.integer("waitMs", 0, 0, properties.maxWait().toMillis());
    long deadline = System.nanoTime() + Duration.ofMillis(waitMs).toNanos();
    while (true) {
      long seen = notifier.generation();
      var outcome = fetch(id, function, after);
      if (!(outcome instanceof Outcome.Ok ok)
          || !((List<?>) ok.body().get("events")).isEmpty()
          || !"open".equals(ok.body().get("state"))
          || System.nanoTime() >= deadline) {
        return outcome;
      }
      if (session("heartbeat", id, function, 0) instanceof Outcome.Failed) {
        continue;
      }
      notifier.awaitChange(seen, Math.min(deadline - System.nanoTime(), 1_000_000_000L));
    }
  }

  private Outcome fetch(String id, String function, long after) {
    var reply =
        Replies.toOutcome(events.run(List.of(id, function, Long.toString(after))), "events");
    if (reply instanceof Outcome.Ok ok) {
      var parsed = new ArrayList<Map<String, Object>>();
      for (var text : (List<?>) ok.body().get("events")) {
        parsed.add(JSON.readValue(text.toString(), MAP));
      }
      var body = new LinkedHashMap<>(ok.body());
      body.put("events", parsed);
      body.put("session", id);
      return new Outcome.Ok(body);
    }
    return reply;
  }

  private Outcome session(String action, String id, String function, long timeout) {
    var reply = coord.run(List.of("session", action, id, function, Long.toString(timeout)));
    return Replies.toOutcome(reply);
  }

  private static byte[] bytes() {
    var id = new byte[16];
    RANDOM.nextBytes(id);
    return id;
  }
}
