package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.gateway.FunctionProxy.Target;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void splitsFunctionSubPathAndQuery() {
    assertThat(Target.parse("/echo/a/b?x=1&y"))
        .isEqualTo(new Target("echo", "/echo/a/b", "/a/b", "?x=1&y"));
    assertThat(Target.parse("/echo")).isEqualTo(new Target("echo", "/echo", "/", ""));
    assertThat(Target.parse("/echo/")).isEqualTo(new Target("echo", "/echo/", "/", ""));
    assertThat(Target.parse("/echo?q")).isEqualTo(new Target("echo", "/echo", "/", "?q"));
    assertThat(Target.parse("/")).isEqualTo(new Target("", "/", "/", ""));
  }

  @Test
  void readsTheAbsoluteFormAProxyMayReceive() {
    assertThat(Target.parse("http://stoke:8080/echo/x?y"))
        .isEqualTo(new Target("echo", "/echo/x", "/x", "?y"));
    assertThat(Target.parse("http://stoke:8080")).isEqualTo(new Target("", "/", "/", ""));
  }

  @Test
  void namesTheFunctionWithoutBuildingATarget() {
    assertThat(Target.functionOf("/echo/a?b")).isEqualTo("echo");
    assertThat(Target.functionOf("/echo?b/c")).isEqualTo("echo");
    assertThat(Target.functionOf("/")).isEmpty();
    assertThat(Target.functionOf("http://stoke/hello/x")).isEqualTo("hello");
  }
}
