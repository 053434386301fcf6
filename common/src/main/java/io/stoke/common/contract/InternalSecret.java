package io.stoke.common.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The secret Stoke's services prove themselves to each other with, in {@link #HEADER}: the gateway
 * to the api-server (which then trusts its {@link #USER_HEADER}), the api-server to the
 * orchestrator's internal endpoints. Configured explicitly, or created once in Redis ({@link
 * RedisKeys#INTERNAL_SECRET}, SET NX) by whichever service starts first and read by the others.
 */
public final class InternalSecret {

  public static final String HEADER = "X-Stoke-Gateway-Secret";

  /** The authenticated caller, set by the gateway; trusted only with {@link #HEADER}. */
  public static final String USER_HEADER = "X-Stoke-User";

  /**
   * The caller's address as the gateway saw it, set on every call it forwards to the api-server.
   */
  public static final String CLIENT_HEADER = "X-Stoke-Client";

  private final String value;
  private final byte[] bytes;

  private InternalSecret(String value) {
    this.value = value;
    this.bytes = value.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code configured} when set, else the one in Redis (created there when missing). */
  public static InternalSecret resolve(UnifiedJedis redis, String configured) {
    if (configured != null && !configured.isBlank()) {
      return new InternalSecret(configured.strip());
    }
    var random = new byte[32];
    new SecureRandom().nextBytes(random);
    var fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    redis.set(RedisKeys.INTERNAL_SECRET, fresh, SetParams.setParams().nx());
    return new InternalSecret(redis.get(RedisKeys.INTERNAL_SECRET));
  }

  /** The value to send in {@link #HEADER}. */
  public String value() {
    return value;
  }

  /** Constant-time comparison with the presented header value. */
  public boolean matches(String presented) {
    return presented != null
        && MessageDigest.isEqual(bytes, presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "InternalSecret[hidden]";
  }
}
