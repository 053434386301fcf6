package io.stoke.state;

/** Every error the state service answers with, and its HTTP status (the one place they meet). */
public enum ErrorCode {
  BadArguments(400),
  NotFound(404),
  /** An admin operation from a caller that is not on loopback. */
  Forbidden(403),
  MethodNotAllowed(405),
  LengthRequired(411),
  TooLarge(413),
  LimitExceeded(400),
  NoKey(404),
  NoNode(404),
  NoSession(404),
  SessionExists(409),
  SessionExpired(410),
  NodeExists(409),
  BadVersion(409),
  NotEmpty(409),
  NoChildrenForEphemerals(400),
  NotAnInteger(409),
  /** Redis did not answer: the write may or may not have been applied. */
  Unavailable(503),
  Internal(500);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }
}
