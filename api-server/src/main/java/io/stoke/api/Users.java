package io.stoke.api;

import io.stoke.common.contract.ApiKey;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import redis.clients.jedis.UnifiedJedis;

/** Users and their API keys in Redis: registration, password check, key creation, revocation. */
public final class Users {

  /** Lower-case letters and digits: a name is part of {@code u-<owner>-<function>}, so no dash. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{2,31}");

  public static final int MIN_PASSWORD = 12;
  public static final int MAX_PASSWORD = 72; // bcrypt reads at most 72 bytes

  /** A registered user as stored: never the password, only its bcrypt hash. */
  record User(String name, String passwordHash, long createdAt) {}

  /** A freshly created key: the only moment the full key exists outside the caller. */
  public record CreatedKey(String id, String key, String user, long createdAt) {}

  private final UnifiedJedis redis;
  private final Clock clock;
  private final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder(10);
  private final SecureRandom random = new SecureRandom();

  public Users(UnifiedJedis redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** Registers {@code name}; 400 on a rule broken, 409 when taken. */
  public void register(String name, String password) {
    checkName(name);
    checkPassword(name, password);
    var user = new User(name, encoder.encode(password), clock.millis());
    if (redis.hsetnx(RedisKeys.USERS, name, Json.write(user)) == 0) {
      throw new ApiException(409, "user " + name + " already exists");
    }
  }

  /** A new API key for {@code name} after checking its password; 401 on any mismatch. */
  public CreatedKey createKey(String name, String password) {
    var json = name == null ? null : redis.hget(RedisKeys.USERS, name);
    boolean ok =
        json != null
            && password != null
            && encoder.matches(password, Json.read(json, User.class).passwordHash());
    if (!ok) {
      throw new ApiException(401, "unknown user or wrong password");
    }
    var idBytes = new byte[8];
    var secretBytes = new byte[32];
    random.nextBytes(idBytes);
    random.nextBytes(secretBytes);
    var id = HexFormat.of().formatHex(idBytes);
    var secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    long now = clock.millis();
    redis.hset(RedisKeys.API_KEYS, id, Json.write(new ApiKey(id, name, sha256(secret), now)));
    return new CreatedKey(id, "stk_" + id + "_" + secret, name, now);
  }

  /** Revokes key {@code id} of {@code user}; another user's key does not exist for them. */
  public void revoke(String user, String id) {
    var json = redis.hget(RedisKeys.API_KEYS, id);
    if (json == null || !Json.read(json, ApiKey.class).user().equals(user)) {
      throw ApiException.notFound("API key " + id);
    }
    redis.hdel(RedisKeys.API_KEYS, id);
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiException.badRequest(
          "name = "
              + name
              + ", must be 3 to 32 lower-case letters and digits, starting with a letter");
    }
  }

  static void checkPassword(String name, String password) {
    if (password == null
        || password.length() < MIN_PASSWORD
        || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD) {
      throw ApiException.badRequest(
          "password must be "
              + MIN_PASSWORD
              + " to "
              + MAX_PASSWORD
              + " bytes long (a passphrase of a few words works well)");
    }
    if (password.toLowerCase(java.util.Locale.ROOT).contains(name)) {
      throw ApiException.badRequest("password must not contain the user name");
    }
    if (password.chars().distinct().count() < 5) {
      throw ApiException.badRequest("password must use at least 5 different characters");
    }
  }

  public static String sha256(String text) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
