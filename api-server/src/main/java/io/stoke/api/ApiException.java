package io.stoke.api;

/** A request the API refuses, with its HTTP status; {@link ApiErrors} writes it as JSON. */
public final class ApiException extends RuntimeException {

  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status = " + status + ", must be in [400, 599]");
    }
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  /** The answer for anything the caller may not see: it does not exist for them. */
  public static ApiException notFound(String what) {
    return new ApiException(404, what + " does not exist");
  }
}
