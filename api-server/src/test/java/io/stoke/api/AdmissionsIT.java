package io.stoke.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.RedisClock;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import redis.clients.jedis.RedisClient;

/** Exec admissions against a real redis-server. */
class AdmissionsIT {

  static RedisServer redisServer;
  static RedisClient redis;

  final Activations activations =
      new Activations(
          redis,
          new ApiProperties.Exec(
              3, 2, DataSize.ofMegabytes(1), Duration.ofSeconds(30), Duration.ofMinutes(5)),
          Clock.systemUTC());

  @BeforeAll
  static void start() throws Exception {
    redisServer = RedisServer.start();
    redis = RedisClient.create(URI.create(redisServer.url()));
  }

  @AfterAll
  static void stop() {
    redis.close();
    redisServer.close();
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
  }

  static Activations.Target function(String name, int maxParallel) {
    return new Activations.Target(
        name, "", "img", Duration.ofSeconds(5), 64 << 20, 0.5, 64, maxParallel, Map.of());
  }

  @Test
  void refusesBeyondTheFunctionsLimitAndAdmitsAgainOnceOneIsReleased() {
    var fn = function("fn", 2);
    assertThat(activations.admit(fn, "a")).isZero();
    assertThat(activations.admit(fn, "b")).isZero();
    assertThat(activations.admit(fn, "c")).isEqualTo(2);

    activations.release(fn, "a");

    assertThat(activations.admit(fn, "c")).isZero();
    assertThat(redis.zcard(RedisKeys.execAdmissions("fn"))).isEqualTo(2);
  }

  @Test
  void refusesBeyondThePlatformWideLimitAcrossFunctions() {
    assertThat(activations.admit(function("one", 2), "a")).isZero();
    assertThat(activations.admit(function("one", 2), "b")).isZero();
    assertThat(activations.admit(function("two", 2), "c")).isZero();

    assertThat(activations.admit(function("two", 2), "d")).isEqualTo(1);
    assertThat(redis.zcard(RedisKeys.EXEC_ADMISSIONS)).isEqualTo(3);
  }

  @Test
  void anAdmissionHoldsForItsTimeoutPlusTheResultMarginOnRedissClock() {
    long before = RedisClock.millis(redis);
    assertThat(activations.admit(function("fn", 2), "a")).isZero();
    long after = RedisClock.millis(redis);

    // timeout 5 s + result margin 10 s + 1 s
    for (var key : new String[] {RedisKeys.execAdmissions("fn"), RedisKeys.EXEC_ADMISSIONS}) {
      assertThat(redis.zscore(key, "a").longValue()).isBetween(before + 16_000, after + 16_000);
    }
  }

  @Test
  void anAdmissionNeverReleasedFreesItsSlotOnceItsDeadlinePassed() {
    // An api-server admitted two calls and died before releasing them: the function is full.
    var fn = function("fn", 2);
    assertThat(activations.admit(fn, "lost-old")).isZero();
    assertThat(activations.admit(fn, "lost-new")).isZero();
    assertThat(activations.admit(fn, "next")).isEqualTo(2);

    // One deadline passed a moment ago, the other is a minute ahead.
    long now = RedisClock.millis(redis);
    for (var key : new String[] {RedisKeys.execAdmissions("fn"), RedisKeys.EXEC_ADMISSIONS}) {
      redis.zadd(key, now - 1, "lost-old");
      redis.zadd(key, now + 60_000, "lost-new");
    }

    // The one past its deadline no longer counts, the other still does, platform-wide too.
    assertThat(activations.admit(fn, "next")).isZero();
    assertThat(activations.admit(fn, "another")).isEqualTo(2);
    assertThat(redis.zrange(RedisKeys.execAdmissions("fn"), 0, -1))
        .containsExactlyInAnyOrder("lost-new", "next");
    assertThat(redis.zrange(RedisKeys.EXEC_ADMISSIONS, 0, -1))
        .containsExactlyInAnyOrder("lost-new", "next");
  }

  @Test
  void theKeysExpireWithTheirLatestDeadlineSoAnIdlePlatformLeavesNothingBehind() {
    var quick = function("fn", 2);
    var slow =
        new Activations.Target(
            "fn", "", "img", Duration.ofSeconds(50), 64 << 20, 0.5, 64, 2, Map.of());
    assertThat(activations.admit(slow, "long")).isZero();
    assertThat(activations.admit(quick, "short")).isZero();

    // Both keys live until the latest deadline (50 s + 10 s + 1 s from now), not the newest one's.
    long latest = Duration.ofSeconds(61).toMillis();
    for (var key : new String[] {RedisKeys.execAdmissions("fn"), RedisKeys.EXEC_ADMISSIONS}) {
      assertThat(redis.pttl(key)).isBetween(latest - Duration.ofSeconds(10).toMillis(), latest);
    }
  }
}
