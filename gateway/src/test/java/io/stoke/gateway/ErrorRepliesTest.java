package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ErrorRepliesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static ErrorReply classify(Throwable error) {
    return ErrorReplies.classify(error, "fn", TIMEOUT);
  }

  @Test
  void gatewayExceptionsKeepTheirKindsStatusAndRetryAfter() {
    var reply =
        classify(
            new GatewayException(
                GatewayException.Kind.QUEUE_FULL, "full", Duration.ofMillis(1500), null));
    assertThat(reply.status()).isEqualTo(429);
    assertThat(reply.retryAfterHeader()).isEqualTo("2");
    assertThat(classify(new GatewayException(GatewayException.Kind.UNKNOWN_FUNCTION, "x")).status())
        .isEqualTo(404);
    assertThat(classify(new GatewayException(GatewayException.Kind.BODY_TOO_LARGE, "x")).status())
        .isEqualTo(413);
    assertThat(
            classify(new GatewayException(GatewayException.Kind.COLD_START_FAILED, "x")).status())
        .isEqualTo(503);
  }

  @Test
  void aTimeoutBecomes504NamingTheFunctionsTimeout() {
    var reply = classify(new TimeoutException("Did not observe any item"));
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.message()).contains("PT3S");
    assertThat(reply.retryAfterHeader()).isNull();
  }

  @Test
  void connectionFailuresAndUnknownErrorsBecome502() {
    assertThat(classify(new IOException("Connection reset by peer")).status()).isEqualTo(502);
    assertThat(classify(new ConnectException("refused")).status()).isEqualTo(502);
    assertThat(classify(new IllegalStateException("garbage")).status()).isEqualTo(502);
  }

  @Test
  void wrappedCausesAreClassifiedByTheirCause() {
    var wrapped = new RuntimeException("wrapper", new TimeoutException("late"));
    assertThat(classify(wrapped).status()).isEqualTo(504);
  }

  @Test
  void theJsonBodyCarriesErrorFunctionAndStatusEscaped() {
    var reply = new ErrorReply(502, "bad \"quote\"\n", null);
    assertThat(reply.toJson("fn"))
        .isEqualTo("{\"error\":\"bad \\\"quote\\\"\\n\",\"function\":\"fn\",\"status\":502}");
  }
}
