package io.stoke.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a handler answers: a status, a body and headers. Immutable. */
public final class Response {

  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  private final int status;
  private final byte[] body;
  private final Map<String, String> headers;

  private Response(int status, byte[] body, Map<String, String> headers) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status = " + status + ", must be in [100, 999]");
    }
    this.status = status;
    this.body = body == null ? new byte[0] : body.clone();
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** 200 with a UTF-8 text body. */
  public static Response ok(String text) {
    return text(200, text);
  }

  /** A UTF-8 text body with the given status. */
  public static Response text(int status, String text) {
    return of(status, utf8(text), Map.of("Content-Type", TEXT));
  }

  /** 200 with a body that is already JSON text. */
  public static Response json(String json) {
    return json(200, json);
  }

  /** A body that is already JSON text, with the given status. */
  public static Response json(int status, String json) {
    return of(status, utf8(json), Map.of("Content-Type", JSON));
  }

  /** An empty body with the given status. */
  public static Response status(int status) {
    return of(status, new byte[0], Map.of());
  }

  /** Any status, body and headers. */
  public static Response of(int status, byte[] body, Map<String, String> headers) {
    return new Response(status, body, headers);
  }

  /** A copy with one more header (replacing one of the same name). */
  public Response withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
    copy.put(name, value);
    return new Response(status, body, copy);
  }

  public int status() {
    return status;
  }

  public byte[] body() {
    return body.clone();
  }

  public Map<String, String> headers() {
    return headers;
  }

  private static byte[] utf8(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }
}
