package io.stoke.stats.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The listener's own counters since start: written by the ingest threads, read by anyone. */
public final class IngestCounters {

  /** What is counted. */
  public enum Counter {
    DATAGRAMS,
    BYTES,
    LINES,
    METRICS,
    UNMAPPED,
    MALFORMED,
    LONG_LINES,
    OVERSIZE_DATAGRAMS,
    RATE_LIMITED_LINES,
    REFUSED_SOURCE_LINES,
    DROPPED_FUNCTIONS,
    DROPPED_SERIES,
    SCALE_SIGNALS,
    LOADS_WRITTEN,
    REDIS_ERRORS,
    PUBLICATIONS_DROPPED
  }

  private final LongAdder[] adders = new LongAdder[Counter.values().length];

  public IngestCounters() {
    for (int i = 0; i < adders.length; i++) {
      adders[i] = new LongAdder();
    }
  }

  public void add(Counter counter, long amount) {
    adders[counter.ordinal()].add(amount);
  }

  public void increment(Counter counter) {
    adders[counter.ordinal()].increment();
  }

  public long get(Counter counter) {
    return adders[counter.ordinal()].sum();
  }

  /** Every counter, in declaration order. */
  public Map<Counter, Long> snapshot() {
    var snapshot = new EnumMap<Counter, Long>(Counter.class);
    for (Counter counter : Counter.values()) {
      snapshot.put(counter, get(counter));
    }
    return snapshot;
  }
}
