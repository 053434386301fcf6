package io.stoke.stats.ingest;

import java.util.Objects;

/** What a parsed metric means to Stoke: a function's load, or nothing. */
public sealed interface Mapping permits Mapping.Mapped, Mapping.Unmapped {

  /** The metric measures {@code kind} of {@code function} at {@code origin}. */
  record Mapped(String function, LoadKind kind, Origin origin) implements Mapping {
    public Mapped {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(origin, "origin");
    }
  }

  /** The metric is not a function load signal; {@code reason} is one of a few fixed strings. */
  record Unmapped(String reason) implements Mapping {
    public Unmapped {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
