package io.stoke.orchestrator.instances;

import io.stoke.common.contract.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Reads {@link RedisKeys#DEMAND_STREAM} and {@link RedisKeys#SCALE_STREAM} as the consumer group
 * {@link RedisKeys#ORCHESTRATOR_GROUP} and acknowledges an entry only after acting on it, so
 * entries read by an orchestrator that died are read again by the next (same consumer name).
 */
public final class DemandConsumer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DemandConsumer.class);
  private static final int BATCH = 100;
  private static final int BLOCK_MS = 1000;
  private static final List<String> STREAMS =
      List.of(RedisKeys.DEMAND_STREAM, RedisKeys.SCALE_STREAM);

  /** Receives scale-up signals: requests are queueing for a function, as seen at {@code atMs}. */
  @FunctionalInterface
  public interface ScaleSignals {
    void queueing(String function, double pending, double inflight, long atMs);
  }

  private final UnifiedJedis redis;
  private final InstanceManager instances;
  private final ScaleSignals scaleSignals;
  private final String consumer;
  private final Duration maxAge;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean closed;

  public DemandConsumer(
      UnifiedJedis redis,
      InstanceManager instances,
      ScaleSignals scaleSignals,
      String consumer,
      Duration maxAge,
      Clock clock) {
    this.redis = redis;
    this.instances = instances;
    this.scaleSignals = scaleSignals;
    this.consumer = consumer;
    this.maxAge = maxAge;
    this.clock = clock;
    this.thread = Thread.ofPlatform().daemon().name("stoke-demand").unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    long backoffMs = 100;
    boolean pendingDone = false;
    while (!closed) {
      try {
        createGroups();
        while (!closed) {
          // First the entries this consumer read before a restart but never acknowledged.
          var from = pendingDone ? StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY : new StreamEntryID();
          var params = XReadGroupParams.xReadGroupParams().count(BATCH);
          if (pendingDone) {
            params.block(BLOCK_MS);
          }
          var batch =
              redis.xreadGroup(
                  RedisKeys.ORCHESTRATOR_GROUP,
                  consumer,
                  params,
                  Map.of(RedisKeys.DEMAND_STREAM, from, RedisKeys.SCALE_STREAM, from));
          int handled = handle(batch);
          if (!pendingDone && handled == 0) {
            pendingDone = true;
          }
          backoffMs = 100;
        }
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("Reading demand failed ({}); retrying in {} ms", e.toString(), backoffMs);
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }

  private void createGroups() {
    for (var stream : STREAMS) {
      try {
        redis.xgroupCreate(stream, RedisKeys.ORCHESTRATOR_GROUP, new StreamEntryID(), true);
      } catch (JedisDataException e) {
        if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
          throw e;
        }
      }
    }
  }

  /** Acts on every entry in parallel, then acknowledges them; returns how many there were. */
  private int handle(List<Map.Entry<String, List<StreamEntry>>> batch) {
    if (batch == null) {
      return 0;
    }
    int count = 0;
    try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
      var jobs = new ArrayList<Callable<Void>>();
      for (var stream : batch) {
        for (var entry : stream.getValue()) {
          count++;
          jobs.add(
              () -> {
                act(stream.getKey(), entry);
                redis.xack(stream.getKey(), RedisKeys.ORCHESTRATOR_GROUP, entry.getID());
                return null;
              });
        }
      }
      workers.invokeAll(jobs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return count;
  }

  private void act(String stream, StreamEntry entry) {
    var function = entry.getFields().get("function");
    if (function == null || function.isBlank()) {
      log.warn("Ignoring {} entry {} without a function", stream, entry.getID());
      return;
    }
    if (clock.millis() - entry.getID().getTime() > maxAge.toMillis()) {
      log.info("[{}] ignoring stale {} entry {}", function, stream, entry.getID());
      return;
    }
    try {
      if (stream.equals(RedisKeys.DEMAND_STREAM)) {
        instances.demand(function);
      } else {
        scaleSignals.queueing(
            function, field(entry, "pending"), field(entry, "inflight"), seenAt(entry));
      }
    } catch (RuntimeException e) {
      log.error("[{}] acting on {} entry {} failed", function, stream, entry.getID(), e);
    }
  }

  /** When the stats listener saw the queue; the entry's own time when it does not say. */
  private static long seenAt(StreamEntry entry) {
    var at = entry.getFields().get("at");
    try {
      return at == null ? entry.getID().getTime() : Long.parseLong(at.strip());
    } catch (NumberFormatException e) {
      log.warn("Ignoring unreadable at in scale entry {}", entry.getID());
      return entry.getID().getTime();
    }
  }

  private static double field(StreamEntry entry, String name) {
    try {
      double value = Double.parseDouble(entry.getFields().getOrDefault(name, "0").strip());
      return Double.isFinite(value) && value > 0 ? value : 0;
    } catch (NumberFormatException e) {
      log.warn("Ignoring unreadable {} in scale entry {}", name, entry.getID());
      return 0;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(BLOCK_MS * 3L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
