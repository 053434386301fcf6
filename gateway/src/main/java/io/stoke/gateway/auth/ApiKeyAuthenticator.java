package io.stoke.gateway.auth;

import io.stoke.common.contract.ApiKey;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import redis.clients.jedis.UnifiedJedis;

/**
 * Checks {@code Authorization: Bearer stk_<id>_<secret>}: looks the id up in {@link
 * RedisKeys#API_KEYS} on every call (no cache, so a revoked key fails at once) and compares the
 * secret's SHA-256 in constant time. Blocking: call it off the event loop.
 */
public final class ApiKeyAuthenticator {

  private final UnifiedJedis redis;

  public ApiKeyAuthenticator(UnifiedJedis redis) {
    this.redis = redis;
  }

  public Authentication authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return new Authentication.Rejected(
          "authentication required: send Authorization: Bearer <API key>");
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Authentication.Rejected("the Authorization header must be Bearer <API key>");
    }
    var matcher = ApiKey.FORMAT.matcher(authorization.substring(7).strip());
    if (!matcher.matches()) {
      return new Authentication.Rejected("malformed API key");
    }
    var json = redis.hget(RedisKeys.API_KEYS, matcher.group(1));
    if (json == null) {
      return new Authentication.Rejected("unknown or revoked API key");
    }
    var key = Json.read(json, ApiKey.class);
    var presented = sha256(matcher.group(2)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(presented, key.secretSha256().getBytes(StandardCharsets.US_ASCII))) {
      return new Authentication.Rejected("unknown or revoked API key");
    }
    return new Authentication.Authenticated(key.user());
  }

  static String sha256(String text) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
