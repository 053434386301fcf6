package io.stoke.state.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Lua script of the state service, run by its SHA1 and loaded again when Redis forgot it (a
 * restarted Redis has an empty script cache). Scripts reply with one JSON object.
 */
public final class LuaScript {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final String source;
  private final String sha;
  private final UnifiedJedis redis;

  private LuaScript(String source, UnifiedJedis redis) {
    this.source = source;
    this.redis = redis;
    this.sha = sha1(source);
  }

  /** The script {@code lua/NAME.lua} from the classpath. */
  public static LuaScript load(String name, UnifiedJedis redis) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing script /lua/" + name + ".lua");
      }
      return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8), redis);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + name, e);
    }
  }

  /** Runs the script with {@code args} (no declared keys: the service runs on one Redis). */
  public Map<String, Object> run(List<String> args) {
    Object reply;
    try {
      reply = redis.evalsha(sha, List.of(), args);
    } catch (JedisNoScriptException notLoaded) {
      // EVAL loads the script into the cache as it runs it, so the next EVALSHA finds it.
      reply = redis.eval(source, List.of(), args);
    }
    return JSON.readValue(reply.toString(), MAP);
  }

  private static String sha1(String text) {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-1");
      return java.util.HexFormat.of()
          .formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every JVM", e);
    }
  }
}
