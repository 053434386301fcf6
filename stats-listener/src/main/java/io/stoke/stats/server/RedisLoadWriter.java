package io.stoke.stats.server;

import io.stoke.common.contract.RedisKeys;
import io.stoke.stats.ingest.FunctionLoad;
import io.stoke.stats.ingest.IngestCounters;
import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.ScaleSignal;
import io.stoke.stats.ingest.StatsIngest.Tick;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;

/**
 * Writes what the ingest path produced to Redis on its own thread: scale signals to {@code
 * stoke:scale} and window loads to {@code stoke:load:{fn}} with a TTL, one pipeline per tick. A
 * full queue drops (and counts) ticks instead of blocking the UDP receiver.
 */
public final class RedisLoadWriter implements SmartLifecycle, Consumer<Tick> {

  private static final Logger log = LoggerFactory.getLogger(RedisLoadWriter.class);
  private static final int QUEUE_CAPACITY = 1_024;
  private static final long WARN_EVERY_MILLIS = 10_000;

  private final UnifiedJedis redis;
  private final long loadTtlMillis;
  private final IngestCounters counters;
  private final BlockingQueue<Tick> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private volatile Thread thread;
  private long warnedAt;

  public RedisLoadWriter(UnifiedJedis redis, Duration loadTtl, IngestCounters counters) {
    this.redis = redis;
    this.loadTtlMillis = loadTtl.toMillis();
    this.counters = counters;
  }

  @Override
  public void accept(Tick tick) {
    if (!queue.offer(tick)) {
      counters.increment(Counter.PUBLICATIONS_DROPPED);
    }
  }

  @Override
  public void start() {
    thread = Thread.ofPlatform().name("stats-redis").daemon().start(this::run);
  }

  private void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        write(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        counters.increment(Counter.REDIS_ERRORS);
        warn(e);
      }
    }
  }

  /** Writes one tick in a single pipeline: signals first, they are the urgent part. */
  void write(Tick tick) {
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (ScaleSignal signal : tick.signals()) {
        pipeline.xadd(
            RedisKeys.SCALE_STREAM,
            XAddParams.xAddParams().maxLen(RedisKeys.STREAM_MAX_LENGTH).approximateTrimming(),
            Map.of(
                "function", signal.function(),
                "pending", Long.toString(signal.pending()),
                "inflight", Long.toString(signal.inflight()),
                "at", Long.toString(signal.at())));
      }
      for (FunctionLoad load : tick.loads()) {
        String key = RedisKeys.load(load.function());
        pipeline.hset(
            key,
            Map.of(
                "pending", Long.toString(load.pending()),
                "inflight", Long.toString(load.inflight()),
                "rps", Double.toString(load.rps()),
                "overflow", Long.toString(load.overflow()),
                "at", Long.toString(load.at())));
        pipeline.pexpire(key, loadTtlMillis);
      }
      pipeline.sync();
    }
    counters.add(Counter.LOADS_WRITTEN, tick.loads().size());
  }

  private void warn(RuntimeException e) {
    long now = System.currentTimeMillis();
    if (now - warnedAt >= WARN_EVERY_MILLIS) {
      warnedAt = now;
      log.warn(
          "writing load to Redis failed ({} failures so far); continuing",
          counters.get(Counter.REDIS_ERRORS),
          e);
    }
  }

  @Override
  public void stop() {
    Thread running = thread;
    if (running != null) {
      running.interrupt();
      try {
        running.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    thread = null;
  }

  @Override
  public boolean isRunning() {
    return thread != null;
  }

  /** Receivers stop first and writers last, so a last tick still reaches Redis. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 1;
  }
}
