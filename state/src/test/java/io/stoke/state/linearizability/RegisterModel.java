package io.stoke.state.linearizability;

import java.util.Optional;

/**
 * An integer register (absent = 0) read by {@link Read}s and written by compare-and-set increments.
 * The service's CAS compares versions; every successful write of the history writes the value it
 * read plus one, so values only grow and each value has exactly one version: comparing values is
 * comparing versions.
 */
public final class RegisterModel implements Model<Long, RegisterModel.Op> {

  /** An operation on the register. */
  public sealed interface Op permits Read, Cas {}

  /** A read that returned {@code value}. */
  public record Read(long value) implements Op {}

  /** CAS from {@code expected} to {@code replacement}; {@code succeeded} as answered (if known). */
  public record Cas(long expected, long replacement, boolean succeeded) implements Op {}

  @Override
  public Long initial() {
    return 0L;
  }

  @Override
  public Optional<Long> step(Long state, Op op) {
    return switch (op) {
      case Read read -> read.value() == state ? Optional.of(state) : Optional.empty();
      case Cas cas when cas.succeeded() ->
          cas.expected() == state ? Optional.of(cas.replacement()) : Optional.empty();
      case Cas cas -> cas.expected() != state ? Optional.of(state) : Optional.empty();
    };
  }
}
