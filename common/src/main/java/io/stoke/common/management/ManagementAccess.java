package io.stoke.common.management;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * The rule that keeps every service's management endpoints to whoever holds the metrics token.
 *
 * <p>Health and info stay open (scripts, compose and load balancers probe them); every other {@code
 * /actuator} path (Prometheus, metrics, the endpoint index) names functions, users and their load,
 * so it needs {@code Authorization: Bearer <token>}. Without a token configured those paths are
 * closed. Each web stack (the gateway's WebFlux, the other services' servlet container) has a thin
 * filter that asks this class and writes the refusal.
 */
public final class ManagementAccess {

  /** The management paths anyone may read. */
  public static final Set<String> OPEN =
      Set.of(
          "/actuator/health",
          "/actuator/health/liveness",
          "/actuator/health/readiness",
          "/actuator/info");

  /** What a filter does with one request. */
  public sealed interface Verdict {
    /** Pass the request on. */
    record Allowed() implements Verdict {}

    /** Answer 401 with this message; {@link #json()} is the body. */
    record Refused(String message) implements Verdict {
      public static final int STATUS = 401;

      /** The refusal as the JSON error every Stoke service answers: {@code {error, status}}. */
      public String json() {
        return "{\"error\":\"" + message.replace("\"", "'") + "\",\"status\":" + STATUS + "}";
      }
    }
  }

  private static final Verdict ALLOWED = new Verdict.Allowed();

  private final byte[] token;
  private final String settingKey;

  /**
   * @param token the bearer token that opens the other endpoints; null or blank closes them
   * @param settingKey the setting that holds the token, named in the refusal
   */
  public ManagementAccess(String token, String settingKey) {
    this.token = token == null ? new byte[0] : token.strip().getBytes(StandardCharsets.UTF_8);
    this.settingKey = settingKey;
  }

  /**
   * Judges a request reaching {@code paths} (every spelling the server may route on: a request is
   * protected if any of them is) with this {@code Authorization} header (null when absent).
   */
  public Verdict judge(List<String> paths, String authorization) {
    if (paths.stream().noneMatch(ManagementAccess::isProtected)) {
      return ALLOWED;
    }
    if (token.length == 0) {
      return new Verdict.Refused(
          "the management endpoints are closed: set "
              + settingKey
              + " and send it as Authorization: Bearer <token>");
    }
    if (!presents(authorization)) {
      return new Verdict.Refused("management endpoints need Authorization: Bearer <metrics token>");
    }
    return ALLOWED;
  }

  /** True for {@code /actuator} and every path below it except the {@link #OPEN} ones. */
  public static boolean isProtected(String path) {
    return (path.equals("/actuator") || path.startsWith("/actuator/")) && !OPEN.contains(path);
  }

  /**
   * The path as Spring's handler mappings match a raw request path: each segment percent-decoded,
   * {@code ;} parameters and empty segments dropped, so {@code /%61ctuator/metrics} or {@code
   * /actuator;x//prometheus} are judged like the plain spelling.
   */
  public static String routedPath(String rawPath) {
    var routed = new StringBuilder();
    for (String segment : rawPath.split("/")) {
      int parameters = segment.indexOf(';');
      String value = decode(parameters < 0 ? segment : segment.substring(0, parameters));
      if (!value.isEmpty()) {
        routed.append('/').append(value);
      }
    }
    return routed.isEmpty() ? "/" : routed.toString();
  }

  /** Percent-decodes one segment as UTF-8; a malformed escape is kept as written. */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    var bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
      if (c == '%' && lo >= 0) {
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Constant-time comparison of the bearer token (no early exit on the first differing byte). */
  private boolean presents(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }
}
