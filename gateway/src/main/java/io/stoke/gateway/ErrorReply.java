package io.stoke.gateway;

import java.time.Duration;

/**
 * The error a client receives: status, message and optional Retry-After.
 *
 * @param status the HTTP status
 * @param message the human-readable reason, written as {@code error}
 * @param retryAfter zero when no Retry-After header is sent; whole seconds otherwise
 */
public record ErrorReply(int status, String message, Duration retryAfter) {

  public ErrorReply {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status = " + status + ", must be in [400, 599]");
    }
    message = message == null || message.isBlank() ? "request failed" : message;
    retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
  }

  /** The Retry-After header value in whole seconds (at least 1), or null for none. */
  public String retryAfterHeader() {
    if (retryAfter.isZero() || retryAfter.isNegative()) {
      return null;
    }
    return Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
  }

  /** {@code {"error": ..., "function": ..., "status": N}}. */
  public String toJson(String function) {
    return "{\"error\":"
        + quote(message)
        + ",\"function\":"
        + quote(function == null ? "" : function)
        + ",\"status\":"
        + status
        + "}";
  }

  private static String quote(String text) {
    var out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
