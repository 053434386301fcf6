package io.stoke.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * A request the gateway refuses or cannot complete, with the kind that decides its HTTP status.
 * {@link ErrorReplies} turns it (and every other failure) into the one JSON error shape.
 */
public final class GatewayException extends RuntimeException {

  /** Why a request failed; each kind has exactly one status. */
  public enum Kind {
    UNKNOWN_FUNCTION(404),
    BODY_TOO_LARGE(413),
    QUEUE_FULL(429),
    COLD_QUEUE_FULL(503),
    COLD_START_FAILED(503),
    FUNCTION_GONE(503),
    UPSTREAM_FAILED(502),
    TIMEOUT(504);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Kind kind;
  private final Duration retryAfter;

  public GatewayException(Kind kind, String message) {
    this(kind, message, Duration.ZERO, null);
  }

  public GatewayException(Kind kind, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  public Kind kind() {
    return kind;
  }

  /** How long a client should wait before retrying; zero when no Retry-After is sent. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
