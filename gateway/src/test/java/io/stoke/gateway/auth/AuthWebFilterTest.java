package io.stoke.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthWebFilterTest {

  @Test
  void theInvocationPathNamesTheUsersFunction() {
    assertThat(AuthWebFilter.invokedName("/api/v1/functions/hello/invoke")).isEqualTo("hello");
  }

  @Test
  void otherFunctionPathsNameNoInvocation() {
    assertThat(AuthWebFilter.invokedName("/api/v1/functions/hello")).isNull();
    assertThat(AuthWebFilter.invokedName("/api/v1/functions//invoke")).isNull();
    assertThat(AuthWebFilter.invokedName("/api/v1/functions/a/b/invoke")).isNull();
    assertThat(AuthWebFilter.invokedName("/api/v1/functions/hello/activations")).isNull();
    assertThat(AuthWebFilter.invokedName("/hello/invoke")).isNull();
  }
}
