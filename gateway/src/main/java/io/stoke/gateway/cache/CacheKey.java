package io.stoke.gateway.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What makes two calls of a pure function the same call: method, path, query, a SHA-256 digest of
 * the body and, for functions that know their caller, the caller's user.
 *
 * @param user the authenticated caller passed to the function, or empty
 */
public record CacheKey(String method, String path, String query, String bodyDigest, String user) {

  public CacheKey {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    query = query == null ? "" : query;
    Objects.requireNonNull(bodyDigest, "bodyDigest");
    user = user == null ? "" : user;
  }

  /** The key of a call whose body is {@code body} (empty when it has none). */
  public static CacheKey of(String method, String path, String query, byte[] body, String user) {
    return new CacheKey(method, path, query, digest(body), user);
  }

  /** Bytes the key takes in memory, roughly: its characters as UTF-16 and the objects around. */
  long weight() {
    return 2L * (method.length() + path.length() + query.length() + bodyDigest.length())
        + 2L * user.length()
        + 96;
  }

  static String digest(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
