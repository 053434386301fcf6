package io.stoke.state.redis;

import io.stoke.state.ErrorCode;
import io.stoke.state.Outcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a script's JSON reply into an {@link Outcome}. */
public final class Replies {

  private Replies() {}

  /**
   * A reply with an {@code error} field fails with that code; otherwise it succeeds. Lua's cjson
   * writes an empty array as {@code {}}: the fields named in {@code arrays} are made lists again.
   */
  public static Outcome toOutcome(Map<String, Object> reply, String... arrays) {
    var body = new LinkedHashMap<>(reply);
    for (var field : arrays) {
      if (body.get(field) instanceof Map<?, ?> map && map.isEmpty()) {
        body.put(field, List.of());
      }
    }
    if (body.remove("error") instanceof String code) {
      return new Outcome.Failed(codeOf(code), body);
    }
    return new Outcome.Ok(body);
  }

  private static ErrorCode codeOf(String code) {
    try {
      return ErrorCode.valueOf(code);
    } catch (IllegalArgumentException unknown) {
      throw new IllegalStateException("a script answered an unknown error code " + code, unknown);
    }
  }
}
