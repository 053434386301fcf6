package io.stoke.gateway.logging;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Rate-limits the warnings of one recurring failure (Redis unreachable): the first failure is
 * logged as it comes, later ones are counted and summed up in at most one line per window, and the
 * first success after failures logs the recovery. Thread-safe; reads time from its clock only.
 */
public final class RepeatedWarnings {

  /** The summary window the gateway uses: one line per half minute of a lasting outage. */
  public static final Duration WINDOW = Duration.ofSeconds(30);

  private final Logger log;
  private final String what;
  private final Clock clock;
  private final long windowMs;

  /** Written under the lock; read without it so that a success in steady state costs no lock. */
  private volatile boolean failing;

  // Guarded by this.
  private long failingSinceMs;
  private long windowStartMs;
  private long failures;
  private long repeatsInWindow;

  /**
   * @param log where the lines go
   * @param what the failing activity, as summary and recovery lines name it ("registry reads")
   * @param window at most one summary line per window while the failure repeats
   */
  public RepeatedWarnings(Logger log, String what, Clock clock, Duration window) {
    if (window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window = " + window + ", must be positive");
    }
    this.log = log;
    this.what = what;
    this.clock = clock;
    this.windowMs = window.toMillis();
  }

  /** One failure, described by {@code message}: logged if first, else counted and summed up. */
  public void failed(String message) {
    String line = null;
    synchronized (this) {
      long now = clock.millis();
      failures++;
      if (!failing) {
        failing = true;
        failingSinceMs = now;
        windowStartMs = now;
        repeatsInWindow = 0;
        line = message;
      } else {
        repeatsInWindow++;
        long elapsedMs = now - windowStartMs;
        if (elapsedMs >= windowMs) {
          line = summary(message, elapsedMs);
          windowStartMs = now;
          repeatsInWindow = 0;
        }
      }
    }
    if (line != null) {
      log.warn(line);
    }
  }

  /** A success: logs the recovery when it ends a run of failures, else does nothing. */
  public void succeeded() {
    if (!failing) {
      return;
    }
    String line;
    synchronized (this) {
      if (!failing) {
        return;
      }
      long seconds = (clock.millis() - failingSinceMs) / 1000;
      line = what + " recovered after " + failures + " failures in " + seconds + " s";
      failing = false;
      failures = 0;
    }
    log.info(line);
  }

  private String summary(String latest, long elapsedMs) {
    return what
        + ": failure repeated "
        + repeatsInWindow
        + " times in the last "
        + elapsedMs / 1000
        + " s; latest: "
        + latest;
  }
}
