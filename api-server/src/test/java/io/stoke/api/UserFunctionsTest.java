package io.stoke.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoke.common.contract.UserFunction;
import io.stoke.common.definition.ResultCache;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The checks of a registration, which need neither Redis nor the orchestrator. */
class UserFunctionsTest {

  private final UserFunctions functions =
      new UserFunctions(
          null,
          null,
          new ApiProperties.Exec(
              16, 8, DataSize.ofMegabytes(1), Duration.ofSeconds(30), Duration.ofMinutes(5)),
          Clock.systemUTC());

  private static UserFunctions.Registration http(Boolean pure, UserFunction.Cache cache) {
    return new UserFunctions.Registration(
        "sq", "x/sq:1", "http", null, null, null, null, null, null, pure, cache);
  }

  @Test
  void aPureHttpFunctionMayAskForAResultCache() {
    var function = functions.validate("alice", http(true, new UserFunction.Cache(10, "30s")));

    assertThat(function.pure()).isTrue();
    assertThat(function.resultCache()).isEqualTo(new ResultCache(10, Duration.ofSeconds(30)));
  }

  @Test
  void aCacheWithoutPureIsRefusedNamingFunctionKeyAndRule() {
    assertThatThrownBy(
            () -> functions.validate("alice", http(null, new UserFunction.Cache(10, null))))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("function u-alice-sq: cache needs pure: true");
  }

  @Test
  void cacheRangesAreTheDefinitionsOnes() {
    assertThatThrownBy(
            () -> functions.validate("alice", http(true, new UserFunction.Cache(0, null))))
        .hasMessage("cache.maxEntries = 0, must be in [1, 100000]");
    assertThatThrownBy(
            () -> functions.validate("alice", http(true, new UserFunction.Cache(null, "2h"))))
        .hasMessage("cache.ttl = 2h, must be in (0, 1h]");
    assertThatThrownBy(
            () -> functions.validate("alice", http(true, new UserFunction.Cache(null, "soon"))))
        .hasMessageStartingWith("cache.ttl = soon, must be a duration");
  }

  @Test
  void anExecFunctionCannotBeCached() {
    var exec =
        new UserFunctions.Registration(
            "sq",
            "x/sq:1",
            "exec",
            null,
            null,
            null,
            null,
            null,
            null,
            true,
            new UserFunction.Cache(10, null));

    assertThatThrownBy(() -> functions.validate("alice", exec))
        .hasMessageStartingWith("cache is for mode http");
  }
}
