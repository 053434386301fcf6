package io.stoke.gateway.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stoke.common.definition.FunctionDefinition;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's result cache: the stored answers of every function declared pure with a {@code
 * cache} setting, bounded per function (maxEntries, LRU) and platform-wide (bytes). A function's
 * answers are dropped as soon as its definition changes (new version, new digest, new settings).
 * Counts hits, misses and evictions per function in {@code stoke.gateway.cache.*}.
 */
public final class ResultCaches {

  /**
   * The names of the cache's counters start so: {@code hits}, {@code misses}, {@code evictions}.
   */
  public static final String METER_PREFIX = "stoke.gateway.cache.";

  /** Methods whose answers are stored: the safe ones, and POST of a function declared pure. */
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST");

  private final CacheSettings settings;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, FunctionCache> byFunction = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();

  /** Counters by meter name and function: a hit costs one map lookup, not a registration. */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public ResultCaches(CacheSettings settings, Clock clock, MeterRegistry registry) {
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
  }

  /** True when calls of {@code definition} with {@code method} go through the cache. */
  public boolean applies(FunctionDefinition definition, String method) {
    return definition.cached() && METHODS.contains(method);
  }

  /** The valid answer stored for {@code key}, counting a hit or a miss. */
  public Optional<CachedAnswer> lookup(FunctionDefinition definition, CacheKey key) {
    var cache = cacheOf(definition);
    int before = cache.size();
    long bytesBefore = cache.bytes();
    var answer = cache.get(key, clock.instant());
    bytes.addAndGet(cache.bytes() - bytesBefore);
    if (cache.size() < before) {
      count(definition, "evictions", before - cache.size());
    }
    count(definition, answer.isPresent() ? "hits" : "misses", 1);
    return answer;
  }

  /**
   * Stores the answer of a call unless the rules say no: only status 200, only answers the function
   * did not mark {@code Cache-Control: no-store} or {@code private}, only up to {@link
   * CacheSettings#maxAnswerSize()}.
   *
   * @return whether it was stored
   */
  public boolean store(
      FunctionDefinition definition,
      CacheKey key,
      int status,
      List<Map.Entry<String, String>> headers,
      byte[] body) {
    if (status != 200 || forbidden(headers)) {
      return false;
    }
    var answer = new CachedAnswer(headers, body, clock.instant().plus(definition.cache().ttl()));
    if (key.weight() + answer.weight() > settings.maxAnswerSize().toBytes()) {
      return false;
    }
    var change = cacheOf(definition).put(key, answer);
    bytes.addAndGet(change.bytes());
    count(definition, "evictions", change.evicted());
    keepWithinBudget();
    return true;
  }

  /**
   * A recorder of one answer as it streams to the caller, storing it once complete when {@link
   * #store} allows.
   */
  public AnswerRecorder recorder(
      FunctionDefinition definition,
      CacheKey key,
      int status,
      List<Map.Entry<String, String>> headers) {
    return new AnswerRecorder(
        status == 200 && !forbidden(headers) ? settings.maxAnswerSize().toBytes() : -1,
        body -> store(definition, key, status, headers, body));
  }

  /** Drops the answers of a function no longer published. */
  public void forget(String function) {
    var gone = byFunction.remove(function);
    if (gone != null) {
      bytes.addAndGet(-gone.bytes());
    }
  }

  /** Bytes held by all stored answers. */
  public long bytes() {
    return bytes.get();
  }

  /** Answers stored for {@code function}. */
  public int size(String function) {
    var cache = byFunction.get(function);
    return cache == null ? 0 : cache.size();
  }

  /** The cache of this very definition; an older definition's answers are dropped. */
  private FunctionCache cacheOf(FunctionDefinition definition) {
    var cache = byFunction.get(definition.name());
    if (cache != null && cache.definition().equals(definition)) {
      return cache;
    }
    var fresh = new FunctionCache(definition);
    var previous = byFunction.put(definition.name(), fresh);
    if (previous != null) {
      bytes.addAndGet(-previous.bytes());
    }
    return fresh;
  }

  /**
   * Evicts least recently used answers of the function holding most bytes until all fit. Stores
   * racing on several event loops may overshoot by their own answers until the next store.
   */
  private void keepWithinBudget() {
    long budget = settings.maxBytes().toBytes();
    while (bytes.get() > budget) {
      var largest =
          byFunction.values().stream().max(Comparator.comparingLong(FunctionCache::bytes));
      if (largest.isEmpty()) {
        return;
      }
      long freed = largest.get().evictEldest();
      if (freed == 0) {
        return;
      }
      bytes.addAndGet(-freed);
      count(largest.get().definition(), "evictions", 1);
    }
  }

  private static boolean forbidden(List<Map.Entry<String, String>> headers) {
    for (var header : headers) {
      if (header.getKey().equalsIgnoreCase("cache-control")) {
        var value = header.getValue().toLowerCase(Locale.ROOT);
        if (value.contains("no-store") || value.contains("private")) {
          return true;
        }
      }
    }
    return false;
  }

  private void count(FunctionDefinition definition, String what, int n) {
    if (n > 0) {
      counters
          .computeIfAbsent(
              what + ' ' + definition.name(),
              ignored ->
                  Counter.builder(METER_PREFIX + what)
                      .description("result-cache " + what + " of a pure function")
                      .tag("function", definition.name())
                      .register(registry))
          .increment(n);
    }
  }
}
