package io.stoke.common.definition;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parses the human quantities of definition files: durations and memory sizes. */
public final class Quantities {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private static final Pattern MEMORY =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib)?");

  public static final String DURATION_RULE = "must be a duration like 500ms, 10s, 2m or 1h";
  public static final String MEMORY_RULE = "must be a size like 128m, 512Mi or 1g";

  private Quantities() {}

  /** Parses {@code 500ms}, {@code 10s}, {@code 1.5m}, {@code 1h}; empty when malformed. */
  public static Optional<Duration> duration(String text) {
    var m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    double amount = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> amount;
          case "s" -> amount * 1_000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    return Optional.of(Duration.ofMillis(Math.round(millis)));
  }

  /** Parses {@code 128m}, {@code 512Mi}, {@code 1g}, {@code 1048576}; bytes, empty when bad. */
  public static Optional<Long> memory(String text) {
    var m = MEMORY.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        switch (unit.charAt(0)) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          default -> 1L;
        };
    return Optional.of(Math.round(amount * factor));
  }

  /** Formats a duration the way definition files write it. */
  public static String format(Duration duration) {
    long ms = duration.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
