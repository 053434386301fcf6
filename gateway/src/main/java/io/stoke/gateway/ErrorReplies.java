package io.stoke.gateway;

import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The one place where failures become HTTP statuses. Pure: classifies a throwable into an {@link
 * ErrorReply}; {@link ProxyHandler} writes it.
 */
public final class ErrorReplies {

  private ErrorReplies() {}

  /** The reply for {@code error}, raised while serving {@code function} within {@code timeout}. */
  public static ErrorReply classify(Throwable error, String function, java.time.Duration timeout) {
    return switch (error) {
      case GatewayException e -> new ErrorReply(e.kind().status(), e.getMessage(), e.retryAfter());
      case TimeoutException e -> timedOut(function, timeout);
      case ReadTimeoutException e -> timedOut(function, timeout);
      case PrematureCloseException e ->
          new ErrorReply(502, "function " + function + " closed the connection: " + text(e), null);
      case IOException e ->
          new ErrorReply(502, "function " + function + " failed: " + text(e), null);
      default -> causeOrBadGateway(error, function, timeout);
    };
  }

  private static ErrorReply causeOrBadGateway(
      Throwable error, String function, java.time.Duration timeout) {
    var cause = error.getCause();
    if (cause != null && cause != error) {
      return classify(cause, function, timeout);
    }
    return new ErrorReply(502, "function " + function + " failed: " + text(error), null);
  }

  private static ErrorReply timedOut(String function, java.time.Duration timeout) {
    return new ErrorReply(
        504, "function " + function + " did not answer within its timeout " + timeout, null);
  }

  private static String text(Throwable error) {
    var message = error.getMessage();
    return message == null ? error.getClass().getSimpleName() : message;
  }
}
