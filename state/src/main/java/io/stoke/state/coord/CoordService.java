package io.stoke.state.coord;

import io.stoke.state.Args;
import io.stoke.state.Limits;
import io.stoke.state.Outcome;
import io.stoke.state.redis.LuaScript;
import io.stoke.state.redis.Replies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/** The coordination tree of each function: ZooKeeper's nodes, versions, multi and watches. */
public final class CoordService {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> MODES =
      Set.of("persistent", "ephemeral", "sequential", "ephemeral_sequential");

  private final LuaScript script;
  private final Limits limits;

  public CoordService(LuaScript script, Limits limits) {
    this.script = script;
    this.limits = limits;
  }

  public Outcome create(String function, Args args) {
    return single(function, args, "create");
  }

  public Outcome set(String function, Args args) {
    return single(function, args, "set");
  }

  public Outcome delete(String function, Args args) {
    return single(function, args, "delete");
  }

  /** Reads a node's data and stat; with {@code watch} = a session id, sets a data watch. */
  public Outcome get(String function, Args args) {
    return read(function, "get", args);
  }

  /** Whether a node exists; with {@code watch}, sets a data watch (fires on create too). */
  public Outcome exists(String function, Args args) {
    return read(function, "exists", args);
  }

  /** A node's children in byte order; with {@code watch}, sets a children watch. */
  public Outcome children(String function, Args args) {
    return read(function, "children", args);
  }

  /** Several create/set/delete/check operations applied all together or not at all. */
  public Outcome multi(String function, Args args) {
    var raw = args.list("ops");
    if (raw.isEmpty() || raw.size() > limits.values().maxMultiOps()) {
      throw new Args.BadRequest(
          "ops must hold 1 to " + limits.values().maxMultiOps() + " operations (max-multi-ops)");
    }
    var ops = new ArrayList<Map<String, Object>>();
    for (int i = 0; i < raw.size(); i++) {
      if (!(raw.get(i) instanceof Map<?, ?> map)) {
        throw new Args.BadRequest("ops[" + i + "] must be an object");
      }
      @SuppressWarnings("unchecked")
      var op = new Args((Map<String, Object>) map);
      ops.add(operation(op, op.string("op")));
    }
    return apply(function, ops, args.string("session", ""), false);
  }

  private Outcome single(String function, Args args, String kind) {
    var op = operation(args, kind);
    return apply(function, List.of(op), args.string("session", ""), true);
  }

  private Map<String, Object> operation(Args args, String kind) {
    var op = new LinkedHashMap<String, Object>();
    op.put("op", kind);
    op.put("path", limits.path(args.string("path")));
    switch (kind) {
      case "create" -> {
        var mode = args.string("mode", "persistent");
        if (!MODES.contains(mode)) {
          throw new Args.BadRequest("mode = " + mode + ", must be one of " + MODES);
        }
        if (op.get("path").equals("/")) {
          throw new Args.BadRequest("the root already exists");
        }
        op.put("mode", mode);
        op.put("data", limits.nodeData(args.string("data", "")));
      }
      case "set" -> {
        op.put("data", limits.nodeData(args.string("data", "")));
        op.put("version", args.integer("version", -1, -1, Integer.MAX_VALUE));
      }
      case "delete", "check" ->
          op.put("version", args.integer("version", -1, -1, Integer.MAX_VALUE));
      default ->
          throw new Args.BadRequest("op = " + kind + ", must be one of create, set, delete, check");
    }
    return op;
  }

  private Outcome apply(
      String function, List<Map<String, Object>> ops, String session, boolean one) {
    var reply =
        script.run(
            List.of(
                "multi",
                function,
                JSON.writeValueAsString(ops),
                session,
                String.valueOf(limits.values().maxNodesPerFunction())));
    var outcome = Replies.toOutcome(reply, "results");
    if (one && outcome instanceof Outcome.Ok ok && ok.body().get("results") instanceof List<?> r) {
      @SuppressWarnings("unchecked")
      var first = new LinkedHashMap<>((Map<String, Object>) r.getFirst());
      first.put("zxid", ok.body().get("zxid"));
      return new Outcome.Ok(first);
    }
    return outcome;
  }

  private Outcome read(String function, String op, Args args) {
    var path = limits.path(args.string("path"));
    var reply = script.run(List.of("read", function, op, path, args.string("watch", "")));
    return Replies.toOutcome(reply, "children");
  }
}
