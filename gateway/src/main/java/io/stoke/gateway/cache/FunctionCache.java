package io.stoke.gateway.cache;

import io.stoke.common.definition.FunctionDefinition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The stored answers of one version of one function: at most {@code maxEntries}, least recently
 * used first out, each valid until its own expiry. Thread-safe; every method holds its lock only
 * for map work.
 */
final class FunctionCache {

  private final FunctionDefinition definition;
  private final LinkedHashMap<CacheKey, CachedAnswer> entries =
      new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  FunctionCache(FunctionDefinition definition) {
    this.definition = definition;
  }

  /** The definition whose answers these are; another definition means another cache. */
  FunctionDefinition definition() {
    return definition;
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return entries.size();
  }

  /** The answer stored for {@code key} if still valid at {@code now}; an expired one is dropped. */
  synchronized Optional<CachedAnswer> get(CacheKey key, Instant now) {
    var answer = entries.get(key);
    if (answer == null) {
      return Optional.empty();
    }
    if (!now.isBefore(answer.expires())) {
      entries.remove(key);
      bytes -= weight(key, answer);
      return Optional.empty();
    }
    return Optional.of(answer);
  }

  /**
   * Stores {@code answer} under {@code key}, dropping the least recently used past maxEntries.
   *
   * @return the change of this cache's bytes, and how many answers were evicted
   */
  synchronized Change put(CacheKey key, CachedAnswer answer) {
    long before = bytes;
    var previous = entries.put(key, answer);
    if (previous != null) {
      bytes -= weight(key, previous);
    }
    bytes += weight(key, answer);
    int evicted = 0;
    while (entries.size() > definition.cache().maxEntries()) {
      evictEldestLocked();
      evicted++;
    }
    return new Change(bytes - before, evicted);
  }

  /** Drops the least recently used answer; returns the bytes freed (0 when empty). */
  synchronized long evictEldest() {
    return evictEldestLocked();
  }

  private long evictEldestLocked() {
    var it = entries.entrySet().iterator();
    if (!it.hasNext()) {
      return 0;
    }
    Map.Entry<CacheKey, CachedAnswer> eldest = it.next();
    it.remove();
    long freed = weight(eldest.getKey(), eldest.getValue());
    bytes -= freed;
    return freed;
  }

  private static long weight(CacheKey key, CachedAnswer answer) {
    return key.weight() + answer.weight();
  }

  /** What one store did: bytes added (negative when less is held) and answers evicted. */
  record Change(long bytes, int evicted) {}
}
