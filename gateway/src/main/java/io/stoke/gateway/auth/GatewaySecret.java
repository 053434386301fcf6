package io.stoke.gateway.auth;

import io.stoke.common.contract.RedisKeys;
import java.security.SecureRandom;
import java.util.Base64;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The secret the gateway sends to the api-server with the authenticated user: configured, or
 * created once in Redis ({@link RedisKeys#INTERNAL_SECRET}) by whichever service starts first.
 */
public record GatewaySecret(String value) {

  public static final String HEADER = "X-Stoke-Gateway-Secret";
  public static final String USER_HEADER = "X-Stoke-User";

  /**
   * The caller's address as the gateway saw it, set on every call it forwards to the api-server.
   */
  public static final String CLIENT_HEADER = "X-Stoke-Client";

  public static GatewaySecret resolve(UnifiedJedis redis, String configured) {
    if (configured != null && !configured.isBlank()) {
      return new GatewaySecret(configured.strip());
    }
    var bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    var fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    redis.set(RedisKeys.INTERNAL_SECRET, fresh, SetParams.setParams().nx());
    return new GatewaySecret(redis.get(RedisKeys.INTERNAL_SECRET));
  }

  @Override
  public String toString() {
    return "GatewaySecret[hidden]";
  }
}
