package io.stoke.load;

import io.stoke.common.registry.InstanceRegistry;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import redis.clients.jedis.RedisClient;

/** Samples how many instances the function has, by state, from the platform's instance registry. */
final class InstanceSampler implements AutoCloseable {

  /** Instance counts at one moment. */
  record Counts(int ready, int starting, int draining) {
    int total() {
      return ready + starting + draining;
    }

    @Override
    public String toString() {
      return total()
          + " (ready "
          + ready
          + ", starting "
          + starting
          + ", draining "
          + draining
          + ")";
    }
  }

  private final Optional<RedisClient> redis;
  private final String function;
  private final ConcurrentSkipListMap<Integer, Counts> bySecond = new ConcurrentSkipListMap<>();
  private volatile String problem = "";

  InstanceSampler(Optional<String> redisUrl, String function) {
    this.redis = redisUrl.map(url -> RedisClient.create(URI.create(url)));
    this.function = function;
  }

  /** Takes one sample and files it under {@code second}; empty when the registry is unreachable. */
  Optional<Counts> sample(int second) {
    if (redis.isEmpty()) {
      return Optional.empty();
    }
    try {
      int ready = 0;
      int starting = 0;
      int draining = 0;
      for (var instance : new InstanceRegistry(redis.get()).instances(function)) {
        switch (instance.state()) {
          case READY -> ready++;
          case STARTING -> starting++;
          case DRAINING -> draining++;
        }
      }
      var counts = new Counts(ready, starting, draining);
      record(second, counts);
      problem = "";
      return Optional.of(counts);
    } catch (RuntimeException e) {
      problem = "instance registry unreachable: " + e.getMessage();
      return Optional.empty();
    }
  }

  /** Files {@code counts} under {@code second}, keeping the larger of two samples of a second. */
  void record(int second, Counts counts) {
    bySecond.merge(second, counts, (a, b) -> a.total() >= b.total() ? a : b);
  }

  ConcurrentSkipListMap<Integer, Counts> bySecond() {
    return bySecond;
  }

  String problem() {
    return problem;
  }

  @Override
  public void close() {
    redis.ifPresent(RedisClient::close);
  }
}
