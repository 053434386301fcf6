package io.stoke.state.linearizability;

/**
 * One operation of a recorded history: what a client asked and saw, between its invocation and its
 * completion (nanoseconds of one clock). An operation whose outcome the client never learned (a
 * timeout, a dropped connection) has no completion: it may have taken effect at any moment after
 * its invocation, or not at all.
 */
public record Operation<O>(int client, O op, long invokedAt, long completedAt) {

  public static final long UNKNOWN = Long.MAX_VALUE;

  public Operation {
    if (completedAt < invokedAt) {
      throw new IllegalArgumentException("completes before it is invoked: " + op);
    }
  }

  public boolean outcomeUnknown() {
    return completedAt == UNKNOWN;
  }
}
