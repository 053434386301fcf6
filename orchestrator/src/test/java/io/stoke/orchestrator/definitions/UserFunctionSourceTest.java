package io.stoke.orchestrator.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.UserFunction;
import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.Resources;
import io.stoke.common.definition.Runtime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UserFunctionSourceTest {

  static UserFunction stored(String mode, int maxParallel) {
    return new UserFunction(
        "hello",
        "alice",
        "u-alice-hello",
        "stoke-fn/hello:1.0",
        mode,
        9090,
        "20s",
        64L << 20,
        0.5,
        64,
        maxParallel,
        1234L,
        "/healthz",
        false,
        null);
  }

  @Test
  void aPureUserFunctionKeepsItsResultCache() {
    var base = stored("http", 4);
    var pure =
        new UserFunction(
            base.name(),
            base.owner(),
            base.internalName(),
            base.image(),
            base.mode(),
            base.port(),
            base.timeout(),
            base.memoryBytes(),
            base.cpus(),
            base.pids(),
            base.maxParallel(),
            base.createdAt(),
            base.readinessPath(),
            true,
            new UserFunction.Cache(50, "5m"));

    var definition = UserFunctionSource.definition(pure).orElseThrow();

    assertThat(definition.cached()).isTrue();
    assertThat(definition.cache())
        .isEqualTo(new io.stoke.common.definition.ResultCache(50, Duration.ofMinutes(5)));
    assertThat(UserFunctionSource.definition(base).orElseThrow().cached()).isFalse();
  }

  @Test
  void anHttpUserFunctionRunsAsAnAuthRequiredPrebuiltImageUnderItsInternalName() {
    var definition = UserFunctionSource.definition(stored("http", 4)).orElseThrow();

    assertThat(definition.name()).isEqualTo("u-alice-hello");
    assertThat(definition.runtime()).isEqualTo(Runtime.IMAGE);
    assertThat(definition.mode()).isEqualTo(ExecutionMode.HTTP);
    assertThat(definition.isBuilt()).isFalse();
    assertThat(definition.image()).isEqualTo("stoke-fn/hello:1.0");
    assertThat(definition.port()).isEqualTo(9090);
    assertThat(definition.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(definition.resources()).isEqualTo(new Resources(64L << 20, 0.5, 64));
    assertThat(definition.auth()).isEqualTo(AuthMode.REQUIRED);
    assertThat(definition.scaling().minInstances()).isZero();
    assertThat(definition.scaling().maxInstances()).isEqualTo(4);
    assertThat(definition.readinessPath()).isEqualTo("/healthz");
  }

  @Test
  void anExecUserFunctionIsLeftToTheApiServer() {
    assertThat(UserFunctionSource.definition(stored("exec", 4))).isEmpty();
  }

  @Test
  void aLargeParallelLimitIsCappedAtTheDefaultInstanceLimit() {
    var definition = UserFunctionSource.definition(stored("http", 500)).orElseThrow();

    assertThat(definition.scaling().maxInstances()).isEqualTo(10);
  }
}
