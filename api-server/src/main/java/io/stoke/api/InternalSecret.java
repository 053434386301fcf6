package io.stoke.api;

import io.stoke.common.contract.RedisKeys;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The secret the gateway sends in {@link #HEADER} so the api-server trusts its {@code
 * X-Stoke-User}. Configured explicitly, or created once in Redis by whichever service starts first
 * (SET NX) and read by the other.
 */
public final class InternalSecret {

  public static final String HEADER = "X-Stoke-Gateway-Secret";
  public static final String USER_HEADER = "X-Stoke-User";
  public static final String CLIENT_HEADER = "X-Stoke-Client";

  private final byte[] secret;

  private InternalSecret(String secret) {
    this.secret = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static InternalSecret resolve(UnifiedJedis redis, String configured) {
    if (!configured.isBlank()) {
      return new InternalSecret(configured);
    }
    var bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    var fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    redis.set(RedisKeys.INTERNAL_SECRET, fresh, SetParams.setParams().nx());
    return new InternalSecret(redis.get(RedisKeys.INTERNAL_SECRET));
  }

  /** Constant-time comparison with the presented header value. */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        secret, presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
