package io.stoke.stats.statsd;

import java.util.List;
import java.util.Objects;

/** What one StatsD line parses to: a {@link Metric} or the reason it is {@link Malformed}. */
public sealed interface ParseResult permits ParseResult.Metric, ParseResult.Malformed {

  /**
   * One well-formed StatsD line.
   *
   * @param value a finite number; for {@link MetricType#SET} always 1 (set members are not kept)
   * @param sampleRate in (0, 1]: the sender sent this line for about that fraction of events
   * @param tags in wire order, from the name part (Telegraf, Sysdig) then the {@code |#} section
   *     (DogStatsD)
   */
  record Metric(String name, double value, MetricType type, double sampleRate, List<Tag> tags)
      implements ParseResult {
    public Metric {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(tags, "tags");
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("value = " + value + ", must be finite");
      }
      if (!(sampleRate > 0 && sampleRate <= 1)) {
        throw new IllegalArgumentException("sampleRate = " + sampleRate + ", must be in (0, 1]");
      }
    }

    /** The value of the first tag with this key, or {@code fallback} when there is none. */
    public String tagOr(String key, String fallback) {
      for (int i = 0; i < tags.size(); i++) {
        Tag tag = tags.get(i);
        if (tag.key().equals(key)) {
          return tag.value();
        }
      }
      return fallback;
    }
  }

  /** A line that is not StatsD, with a short fixed reason (no input is echoed back). */
  record Malformed(String reason) implements ParseResult {
    public Malformed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
