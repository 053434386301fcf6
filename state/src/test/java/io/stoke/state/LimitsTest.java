package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {

  private final Limits limits = new Limits(StateLimits.defaults());

  @Test
  void acceptsWellFormedPathsAndTheRoot() {
    assertThat(limits.path("/")).isEqualTo("/");
    assertThat(limits.path("/a/b-c/lock-")).isEqualTo("/a/b-c/lock-");
  }

  @Test
  void refusesRelativeEmptyDottedTrailingAndControlPaths() {
    for (var bad : new String[] {"", "a", "//a", "/a/", "/a/./b", "/a/../b", "/a\tb"}) {
      assertThatThrownBy(() -> limits.path(bad)).as(bad).isInstanceOf(Args.BadRequest.class);
    }
  }

  @Test
  void aTooLargeValueIs413NamingTheLimitInBytes() {
    var small = new Limits(new StateLimits(8, 4, 10, 64, 4, 10, 10, 1024, 10));
    var error = (Args.BadRequest) catchBadRequest(() -> small.value("\u00e9\u00e9\u00e9"));
    assertThat(error.outcome().code()).isEqualTo(ErrorCode.TooLarge);
    assertThat(error.outcome().details()).containsEntry("limit", "max-value-bytes");
    assertThat(error.outcome().details()).containsEntry("size", 6);
  }

  @Test
  void anEmptyKeyIsRefused() {
    assertThatThrownBy(() -> limits.key("")).hasMessageContaining("key must not be empty");
  }

  @Test
  void aLimitOutOfRangeFailsNamingTheKeyTheValueAndTheRange() {
    assertThatThrownBy(() -> new StateLimits(0, 1, 1, 2, 0, 1, 1, 1024, 1))
        .hasMessage("stoke.state.limits.max-key-bytes = 0, must be in [1, 4096]");
  }

  private static RuntimeException catchBadRequest(Runnable action) {
    try {
      action.run();
    } catch (Args.BadRequest e) {
      return e;
    }
    throw new AssertionError("no BadRequest");
  }
}
