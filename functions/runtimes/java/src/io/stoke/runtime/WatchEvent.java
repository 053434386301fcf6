package io.stoke.runtime;

import java.util.Map;

/**
 * One event of a session (docs/STATE.md): a watch that fired ({@code NodeCreated}, {@code
 * NodeDataChanged}, {@code NodeDeleted}, {@code NodeChildrenChanged}) or the end of the session
 * ({@code SessionExpired}, {@code SessionClosed}); {@code seq} and {@code zxid} are 0 when the SDK
 * made the event itself.
 */
public record WatchEvent(long seq, String type, String path, long zxid) {

  public WatchEvent {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("a watch event needs a type");
    }
  }

  /** The event the service sent: {@code {seq, type, path, zxid, watch}}. */
  static WatchEvent of(Map<String, Object> event) {
    return new WatchEvent(
        number(event.get("seq")),
        String.valueOf(event.get("type")),
        (String) event.get("path"),
        number(event.get("zxid")));
  }

  /** True for the last event of a session. */
  public boolean endsSession() {
    return type.equals("SessionExpired") || type.equals("SessionClosed");
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0L;
  }
}
