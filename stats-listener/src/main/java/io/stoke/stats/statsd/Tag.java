package io.stoke.stats.statsd;

import java.util.Objects;

/** One dimension of a metric: a key and a value (empty for a DogStatsD tag without a value). */
public record Tag(String key, String value) {
  public Tag {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
