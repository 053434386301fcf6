package io.stoke.state;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Checks of keys, paths and sizes against {@link StateLimits}; pure. */
public final class Limits {

  private final StateLimits limits;

  public Limits(StateLimits limits) {
    this.limits = limits;
  }

  public StateLimits values() {
    return limits;
  }

  /** A non-empty key of at most max-key-bytes. */
  public String key(String key) {
    if (key.isEmpty()) {
      throw new Args.BadRequest("key must not be empty");
    }
    return within(key, "max-key-bytes", limits.maxKeyBytes(), ErrorCode.BadArguments);
  }

  /** A value of at most max-value-bytes. */
  public String value(String value) {
    return within(value, "max-value-bytes", limits.maxValueBytes(), ErrorCode.TooLarge);
  }

  /** Node data of at most max-node-data-bytes. */
  public String nodeData(String data) {
    return within(data, "max-node-data-bytes", limits.maxNodeDataBytes(), ErrorCode.TooLarge);
  }

  /**
   * An absolute path: starts with '/', no empty, '.' or '..' segment, no trailing '/' (but the
   * root), no control character, at most max-path-bytes.
   */
  public String path(String path) {
    within(path, "max-path-bytes", limits.maxPathBytes(), ErrorCode.BadArguments);
    if (!path.startsWith("/")) {
      throw new Args.BadRequest("path " + quote(path) + " must start with '/'");
    }
    if (path.equals("/")) {
      return path;
    }
    for (var segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new Args.BadRequest(
            "path " + quote(path) + " has an empty, '.' or '..' segment (or ends with '/')");
      }
    }
    if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new Args.BadRequest("path " + quote(path) + " contains a control character");
    }
    return path;
  }

  private static String within(String text, String limit, int max, ErrorCode code) {
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > max) {
      throw new Args.BadRequest(
          code,
          limit + " exceeded: " + bytes + " bytes, at most " + max,
          Map.of("limit", limit, "max", max, "size", bytes));
    }
    return text;
  }

  private static String quote(String path) {
    return "'" + (path.length() > 80 ? path.substring(0, 80) + "..." : path) + "'";
  }
}
