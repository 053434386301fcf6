package io.stoke.state.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void onTcpThePathNamesTheFunction() {
    assertThat(Target.of("/v1/functions/counter/kv/get?x=1", null))
        .contains(new Target("counter", "kv/get"));
  }

  @Test
  void onASocketTheSocketNamesTheFunctionAndThePathCannot() {
    assertThat(Target.of("/v1/kv/get", "counter")).contains(new Target("counter", "kv/get"));
    assertThat(Target.of("/v1/functions/other/kv/get", "counter")).isEqualTo(Optional.empty());
  }

  @Test
  void otherPathsHaveNoTarget() {
    assertThat(Target.of("/", null)).isEmpty();
    assertThat(Target.of("/v1/functions/a/kv", null)).isEmpty();
    assertThat(Target.of("/v2/kv/get", "a")).isEmpty();
  }

  @Test
  void anAdminPathNamesTheFunctionAndTheAdminOperation() {
    assertThat(Target.admin("/admin/v1/functions/counter/watch?x=1"))
        .contains(new Target("counter", "watch"));
    assertThat(Target.admin("/v1/functions/counter/kv/get")).isEmpty();
    assertThat(Target.admin("/admin/v1/functions/counter")).isEmpty();
  }

  @Test
  void aContentLengthThatIsNoNumberIsMinusOne() {
    assertThat(HttpTransport.contentLength(null)).isZero();
    assertThat(HttpTransport.contentLength(" 12 ")).isEqualTo(12);
    assertThat(HttpTransport.contentLength("x")).isEqualTo(-1);
    assertThat(HttpTransport.contentLength("-5")).isEqualTo(-1);
  }
}
