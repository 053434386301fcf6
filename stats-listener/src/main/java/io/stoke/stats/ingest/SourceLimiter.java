package io.stoke.stats.ingest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds how many lines per second each source (sender IP:port) may have ingested, with one token
 * bucket per source and at most {@code maxSources} buckets. When the table is full, a source idle
 * for {@code idleMillis} makes room; otherwise the new source is refused, so rotating source
 * addresses cannot buy fresh buckets faster than idle ones expire. Not thread-safe.
 */
final class SourceLimiter {

  /** The outcome for one datagram. */
  enum Admission {
    ADMITTED,
    RATE_LIMITED,
    TOO_MANY_SOURCES
  }

  private final double linesPerSecond;
  private final double burstLines;
  private final int maxSources;
  private final long idleMillis;
  // Access order: the eldest entry is the least recently heard source.
  private final LinkedHashMap<String, TokenBucket> buckets = new LinkedHashMap<>(64, 0.75f, true);

  SourceLimiter(double linesPerSecond, double burstLines, int maxSources, long idleMillis) {
    this.linesPerSecond = linesPerSecond;
    this.burstLines = burstLines;
    this.maxSources = maxSources;
    this.idleMillis = idleMillis;
  }

  Admission admit(String source, int lines, long nowMillis) {
    TokenBucket bucket = buckets.get(source);
    if (bucket == null) {
      if (buckets.size() >= maxSources && !evictIdle(nowMillis)) {
        return Admission.TOO_MANY_SOURCES;
      }
      bucket = new TokenBucket(linesPerSecond, burstLines, nowMillis);
      buckets.put(source, bucket);
    }
    return bucket.tryTake(lines, nowMillis) ? Admission.ADMITTED : Admission.RATE_LIMITED;
  }

  /** Forgets sources idle for longer than the idle time; true if room was made. */
  boolean evictIdle(long nowMillis) {
    boolean evicted = false;
    Iterator<Map.Entry<String, TokenBucket>> entries = buckets.entrySet().iterator();
    while (entries.hasNext()) {
      if (nowMillis - entries.next().getValue().lastMillis() <= idleMillis) {
        break;
      }
      entries.remove();
      evicted = true;
    }
    return evicted;
  }

  int size() {
    return buckets.size();
  }
}
