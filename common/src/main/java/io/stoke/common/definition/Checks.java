package io.stoke.common.definition;

/** Fail-fast invariant checks whose messages name the key, the value and the allowed range. */
final class Checks {

  private Checks() {}

  static void inRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }

  static void positive(String key, java.time.Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " = " + value + ", must be a positive duration");
    }
  }

  static void notNegative(String key, java.time.Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(key + " = " + value + ", must not be negative");
    }
  }
}
