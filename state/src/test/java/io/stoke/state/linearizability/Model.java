package io.stoke.state.linearizability;

import java.util.Optional;

/** A sequential specification: the state after applying an operation, or empty if not allowed. */
public interface Model<S, O> {

  S initial();

  /**
   * The state after {@code op} in {@code state}, or empty when {@code op}'s recorded outcome is
   * impossible there. For an operation whose outcome is unknown, this is the state if it took
   * effect (the checker also considers it never taking effect).
   */
  Optional<S> step(S state, O op);
}
