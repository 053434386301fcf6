package io.stoke.state.kv;

import io.stoke.state.Args;
import io.stoke.state.Limits;
import io.stoke.state.Outcome;
import io.stoke.state.redis.LuaScript;
import io.stoke.state.redis.Replies;
import java.util.List;

/** Key-value state per function: get, put, compare-and-set, increment, delete, list by prefix. */
public final class KvService {

  private static final long MAX_TTL_MS = 365L * 24 * 3600 * 1000;

  private final LuaScript script;
  private final Limits limits;

  public KvService(LuaScript script, Limits limits) {
    this.script = script;
    this.limits = limits;
  }

  public Outcome get(String function, Args args) {
    return run("get", function, limits.key(args.string("key")));
  }

  /** Sets the value; with {@code ifVersion} only if the key's version is that (0 = absent). */
  public Outcome put(String function, Args args) {
    var key = limits.key(args.string("key"));
    var value = limits.value(args.string("value"));
    long ttl = args.integer("ttlMs", 0, 0, MAX_TTL_MS);
    int maxKeys = limits.values().maxKeysPerFunction();
    if (args.has("ifVersion")) {
      long expected = args.integer("ifVersion", 0, 0, Long.MAX_VALUE);
      return run("cas", function, key, value, ttl, maxKeys, expected);
    }
    return run("put", function, key, value, ttl, maxKeys);
  }

  /** Compare-and-set: {@code put} with a required {@code ifVersion}. */
  public Outcome cas(String function, Args args) {
    args.integer("ifVersion", -1, 0, Long.MAX_VALUE);
    if (!args.has("ifVersion")) {
      throw new Args.BadRequest("ifVersion is required (0 = the key must not exist)");
    }
    return put(function, args);
  }

  /**
   * Adds {@code delta} (default 1) to an integer value (absent = 0); keeps its TTL unless given.
   */
  public Outcome incr(String function, Args args) {
    var key = limits.key(args.string("key"));
    long delta = args.integer("delta", 1, -(1L << 52), 1L << 52);
    long ttl = args.integer("ttlMs", -1, 1, MAX_TTL_MS);
    return run("incr", function, key, delta, ttl, limits.values().maxKeysPerFunction());
  }

  public Outcome delete(String function, Args args) {
    var key = limits.key(args.string("key"));
    return run("delete", function, key, args.integer("ifVersion", -1, 0, Long.MAX_VALUE));
  }

  /** Keys starting with {@code prefix} in byte order, a page at a time ({@code after} = cursor). */
  public Outcome list(String function, Args args) {
    var prefix = args.string("prefix", "");
    var after = args.string("after", "");
    int max = limits.values().maxListPage();
    long limit = args.integer("limit", Math.min(100, max), 1, max);
    return run("list", function, prefix, after, limit);
  }

  private Outcome run(String op, String function, Object... rest) {
    var argv = new java.util.ArrayList<String>(List.of(op, function));
    for (var arg : rest) {
      argv.add(String.valueOf(arg));
    }
    return Replies.toOutcome(script.run(argv), "items");
  }
}
