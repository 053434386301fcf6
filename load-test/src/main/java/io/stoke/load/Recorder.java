package io.stoke.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Records every call's outcome, per second of the run and overall. Latencies are in microseconds in
 * an HDR histogram (1 µs to 10 min, 3 significant digits).
 */
final class Recorder {

  static final long MAX_MICROS = 600_000_000L;

  /** One call's outcome: an HTTP status, or {@code 0} with an error kind when none came. */
  record Outcome(int status, String error, boolean coldStart, long latencyMicros) {
    /** Only a 2xx answer is a success: a 404 from a misspelt function is a failed request too. */
    boolean failed() {
      return status < 200 || status >= 300;
    }
  }

  /** What happened during one second of the run. */
  static final class Second {
    final Histogram latency = new SynchronizedHistogram(MAX_MICROS, 3);
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder coldStarts = new LongAdder();
  }

  private final Histogram total = new SynchronizedHistogram(MAX_MICROS, 3);
  private final ConcurrentSkipListMap<Integer, Second> seconds = new ConcurrentSkipListMap<>();
  private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
  private final LongAdder coldStarts = new LongAdder();

  void record(int second, Outcome outcome) {
    long micros = Math.clamp(outcome.latencyMicros(), 1, MAX_MICROS);
    var s = seconds.computeIfAbsent(second, k -> new Second());
    s.latency.recordValue(micros);
    total.recordValue(micros);
    (outcome.failed() ? s.failed : s.ok).increment();
    if (outcome.coldStart()) {
      s.coldStarts.increment();
      coldStarts.increment();
    }
    var key = outcome.status() == 0 ? outcome.error() : String.valueOf(outcome.status());
    statuses.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  Histogram total() {
    return total;
  }

  Map<Integer, Second> seconds() {
    return seconds;
  }

  Second second(int second) {
    return seconds.get(second);
  }

  /** Status codes (or error kinds) and how often each came, sorted. */
  Map<String, Long> statuses() {
    var sorted = new TreeMap<String, Long>();
    statuses.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted;
  }

  long coldStarts() {
    return coldStarts.sum();
  }

  long failures() {
    return seconds.values().stream().mapToLong(s -> s.failed.sum()).sum();
  }
}
