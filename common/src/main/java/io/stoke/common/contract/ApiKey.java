package io.stoke.common.contract;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stored API key: its id, owner and the SHA-256 of its secret, never the key itself. The key a
 * user holds is {@code stk_<id>_<secret>}; see {@link RedisKeys#API_KEYS}.
 *
 * @param id the public part of the key, the hash field it is stored under
 * @param user the owner
 * @param secretSha256 lower-case hex SHA-256 of the secret part
 * @param createdAt epoch milliseconds
 */
public record ApiKey(String id, String user, String secretSha256, long createdAt) {

  /** The shape of a presented key: {@code stk_<16 hex id>_<43 base64url secret>}. */
  public static final Pattern FORMAT = Pattern.compile("stk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");

  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(secretSha256, "secretSha256");
  }
}
