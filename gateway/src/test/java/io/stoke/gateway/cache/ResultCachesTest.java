package io.stoke.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.definition.Resources;
import io.stoke.common.definition.ResultCache;
import io.stoke.common.definition.Runtime;
import io.stoke.common.definition.ScalingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class ResultCachesTest {

  private final SteppedClock clock = new SteppedClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FunctionDefinition sq = pure("sq", "1", 3, Duration.ofSeconds(10));

  private ResultCaches caches(long maxBytes, long maxAnswer) {
    return new ResultCaches(
        new CacheSettings(DataSize.ofBytes(maxBytes), DataSize.ofBytes(maxAnswer)),
        clock,
        registry);
  }

  private final ResultCaches caches = caches(1 << 20, 1 << 16);

  @Test
  void anAnswerIsServedUntilItsTtlRunsOut() {
    var key = get("/sq/4");
    caches.store(sq, key, 200, List.of(), body("16"));

    clock.step(Duration.ofSeconds(9));
    assertThat(caches.lookup(sq, key)).map(a -> new String(a.body())).contains("16");
    clock.step(Duration.ofSeconds(1));
    assertThat(caches.lookup(sq, key)).isEmpty();
    assertThat(caches.bytes()).isZero();
    assertThat(counter("hits")).isEqualTo(1);
    assertThat(counter("misses")).isEqualTo(1);
  }

  @Test
  void keepsAtMostMaxEntriesDroppingTheLeastRecentlyUsed() {
    caches.store(sq, get("/sq/1"), 200, List.of(), body("1"));
    caches.store(sq, get("/sq/2"), 200, List.of(), body("4"));
    caches.store(sq, get("/sq/3"), 200, List.of(), body("9"));
    caches.lookup(sq, get("/sq/1"));
    caches.store(sq, get("/sq/4"), 200, List.of(), body("16"));

    assertThat(caches.size("sq")).isEqualTo(3);
    assertThat(caches.lookup(sq, get("/sq/2"))).isEmpty();
    assertThat(caches.lookup(sq, get("/sq/1"))).isPresent();
    assertThat(counter("evictions")).isEqualTo(1);
  }

  @Test
  void keepsAllFunctionsWithinThePlatformByteBudget() {
    var small = caches(3000, 2000);
    var other = pure("other", "1", 100, Duration.ofMinutes(1));
    small.store(sq, get("/sq/1"), 200, List.of(), new byte[1000]);
    small.store(other, get("/other/1"), 200, List.of(), new byte[1000]);
    small.store(other, get("/other/2"), 200, List.of(), new byte[1000]);

    assertThat(small.bytes()).isLessThanOrEqualTo(3000);
    assertThat(small.size("sq") + small.size("other")).isEqualTo(2);
  }

  @Test
  void doesNotStoreAnswersLargerThanTheBoundNonOkOrMarkedNoStoreOrPrivate() {
    var bounded = caches(1 << 20, 1000);

    assertThat(bounded.store(sq, get("/sq/big"), 200, List.of(), new byte[1000])).isFalse();
    assertThat(bounded.store(sq, get("/sq/x"), 500, List.of(), body("oops"))).isFalse();
    assertThat(bounded.store(sq, get("/sq/y"), 200, header("Cache-Control", "no-store"), body("")))
        .isFalse();
    assertThat(bounded.store(sq, get("/sq/z"), 200, header("cache-control", "Private"), body("")))
        .isFalse();
    assertThat(
            bounded.store(sq, get("/sq/ok"), 200, header("Cache-Control", "max-age=5"), body("")))
        .isTrue();
    assertThat(bounded.size("sq")).isEqualTo(1);
  }

  @Test
  void aRecorderStoresAStreamedAnswerOnlyWhenItEndsWithinTheBound() {
    var bounded = caches(1 << 20, 1000);
    var small = bounded.recorder(sq, get("/sq/small"), 200, List.of());
    small.copy(io.netty.buffer.Unpooled.wrappedBuffer(body("12")));
    small.copy(io.netty.buffer.Unpooled.wrappedBuffer(body("34")));
    small.complete();
    var big = bounded.recorder(sq, get("/sq/big"), 200, List.of());
    big.copy(io.netty.buffer.Unpooled.wrappedBuffer(new byte[600]));
    big.copy(io.netty.buffer.Unpooled.wrappedBuffer(new byte[600]));
    big.complete();
    var failed = bounded.recorder(sq, get("/sq/failed"), 503, List.of());
    failed.copy(io.netty.buffer.Unpooled.wrappedBuffer(body("busy")));
    failed.complete();

    assertThat(bounded.lookup(sq, get("/sq/small")))
        .map(a -> new String(a.body()))
        .contains("1234");
    assertThat(bounded.lookup(sq, get("/sq/big"))).isEmpty();
    assertThat(bounded.lookup(sq, get("/sq/failed"))).isEmpty();
  }

  @Test
  void theKeyIncludesTheBodyDigestAndTheCaller() {
    var alice = CacheKey.of("POST", "/sq", "", body("4"), "alice");
    caches.store(sq, alice, 200, List.of(), body("16"));

    assertThat(caches.lookup(sq, CacheKey.of("POST", "/sq", "", body("4"), "alice"))).isPresent();
    assertThat(caches.lookup(sq, CacheKey.of("POST", "/sq", "", body("5"), "alice"))).isEmpty();
    assertThat(caches.lookup(sq, CacheKey.of("POST", "/sq", "", body("4"), "bob"))).isEmpty();
    assertThat(caches.lookup(sq, CacheKey.of("POST", "/sq", "", body("4"), null))).isEmpty();
    assertThat(caches.lookup(sq, CacheKey.of("POST", "/sq", "?a=1", body("4"), "alice"))).isEmpty();
    assertThat(caches.lookup(sq, CacheKey.of("GET", "/sq", "", body("4"), "alice"))).isEmpty();
  }

  @Test
  void aNewDefinitionOfTheFunctionDropsItsAnswers() {
    caches.store(sq, get("/sq/4"), 200, List.of(), body("16"));
    var next = pure("sq", "2", 3, Duration.ofSeconds(10));

    assertThat(caches.lookup(next, get("/sq/4"))).isEmpty();
    assertThat(caches.lookup(sq.withCaching(true, null), get("/sq/4"))).isEmpty();
    assertThat(caches.bytes()).isZero();
  }

  @Test
  void onlyPureFunctionsWithACacheAndOnlyGetHeadPostGoThroughIt() {
    assertThat(caches.applies(sq, "GET")).isTrue();
    assertThat(caches.applies(sq, "POST")).isTrue();
    assertThat(caches.applies(sq, "PUT")).isFalse();
    assertThat(caches.applies(sq.withCaching(true, null), "GET")).isFalse();
  }

  private double counter(String what) {
    var counter = registry.find("stoke.gateway.cache." + what).tag("function", "sq").counter();
    return counter == null ? 0 : counter.count();
  }

  private static CacheKey get(String path) {
    return CacheKey.of("GET", path, "", new byte[0], null);
  }

  private static byte[] body(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<Map.Entry<String, String>> header(String name, String value) {
    return List.of(Map.entry(name, value));
  }

  static FunctionDefinition pure(String name, String version, int maxEntries, Duration ttl) {
    return new FunctionDefinition(
            name,
            Runtime.PYTHON,
            name,
            "handler.py",
            version,
            FunctionDefinition.templatedImage(name, version),
            8080,
            ExecutionMode.HTTP,
            Map.of(),
            Duration.ofSeconds(10),
            Resources.DEFAULT,
            ScalingPolicy.DEFAULT,
            LoadBalancing.ROUND_ROBIN,
            AuthMode.PUBLIC,
            List.of(),
            null)
        .withCaching(true, new ResultCache(maxEntries, ttl));
  }

  /** A clock the test moves forward by hand. */
  private static final class SteppedClock extends Clock {
    private Instant now = Instant.parse("2026-12-04T12:00:00Z");

    void step(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
