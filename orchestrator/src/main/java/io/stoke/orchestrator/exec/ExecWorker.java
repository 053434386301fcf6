package io.stoke.orchestrator.exec;

import io.stoke.common.contract.ActivationOutcome;
import io.stoke.common.contract.ActivationRecord;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.common.contract.ActivationResult;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisClock;
import io.stoke.common.contract.RedisKeys;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Reads {@link RedisKeys#ACTIVATIONS_STREAM} as the group {@link RedisKeys#EXEC_GROUP}, runs each
 * activation on its own virtual thread, pushes the result to the caller's list, keeps the record,
 * and acknowledges. An entry older than its own timeout is dropped: its caller has given up.
 */
public final class ExecWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExecWorker.class);
  private static final int BLOCK_MS = 1000;
  private static final long RESULT_TTL_SECONDS = 60;
  private static final long REDIS_RETRY_MS = 10_000;

  private final UnifiedJedis redis;
  private final ExecRunner runner;
  private final ExecSettings settings;
  private final String consumer;
  private final Clock clock;
  private final Semaphore slots;
  private final ExecutorService activations = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread thread;
  private final AtomicLong readFailures = new AtomicLong();
  private volatile boolean closed;

  public ExecWorker(
      UnifiedJedis redis, ExecRunner runner, ExecSettings settings, String consumer, Clock clock) {
    this.redis = redis;
    this.runner = runner;
    this.settings = settings;
    this.consumer = consumer;
    this.clock = clock;
    this.slots = new Semaphore(settings.maxParallel());
    this.thread = Thread.ofPlatform().daemon().name("stoke-exec").unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    long backoffMs = 100;
    // Once per start, not after every lost connection: the calls still pending then are this
    // run's own, running right now, and their containers must not be touched.
    boolean recovered = false;
    while (!closed) {
      try {
        createGroup();
        if (!recovered) {
          recoverInterrupted();
          recovered = true;
        }
        while (!closed) {
          slots.acquire();
          slots.release();
          var params =
              XReadGroupParams.xReadGroupParams()
                  .count(Math.max(1, slots.availablePermits()))
                  .block(BLOCK_MS);
          var batch =
              redis.xreadGroup(
                  RedisKeys.EXEC_GROUP,
                  consumer,
                  params,
                  Map.of(RedisKeys.ACTIVATIONS_STREAM, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
          if (batch != null) {
            batch.forEach(stream -> stream.getValue().forEach(this::dispatch));
          }
          backoffMs = 100;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        readFailures.incrementAndGet();
        log.warn("Reading activations failed ({}); retrying in {} ms", e.toString(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }

  /**
   * A previous run of this worker died mid-call: its containers are removed, and the entries it
   * read but never acknowledged get a clear failure now, so no caller waits out its timeout.
   */
  private void recoverInterrupted() {
    int removed = runner.removeLeftovers();
    if (removed > 0) {
      log.info("Removed {} activation container(s) left by an earlier run", removed);
    }
    var pending =
        redis.xreadGroup(
            RedisKeys.EXEC_GROUP,
            consumer,
            XReadGroupParams.xReadGroupParams().count(1000),
            Map.of(RedisKeys.ACTIVATIONS_STREAM, new StreamEntryID()));
    if (pending == null) {
      return;
    }
    for (var stream : pending) {
      for (var entry : stream.getValue()) {
        var json = entry.getFields().get("request");
        if (json != null) {
          var request = Json.read(json, ActivationRequest.class);
          var result =
              new ActivationResult(
                  request.id(),
                  ActivationOutcome.FAILED,
                  "",
                  -1,
                  "the orchestrator restarted during the call; it did not complete",
                  0);
          pushResult(request.id(), result);
        }
        redis.xack(RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP, entry.getID());
      }
    }
  }

  private void pushResult(String id, ActivationResult result) {
    var resultKey = RedisKeys.activationResult(id);
    redis.rpush(resultKey, Json.write(result));
    redis.expire(resultKey, RESULT_TTL_SECONDS);
  }

  private void createGroup() {
    try {
      redis.xgroupCreate(
          RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP, new StreamEntryID(), true);
    } catch (JedisDataException e) {
      if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  private void dispatch(StreamEntry entry) {
    slots.acquireUninterruptibly();
    activations.execute(
        () -> {
          try {
            handle(entry);
          } catch (RuntimeException e) {
            log.error("Activation entry {} failed", entry.getID(), e);
          } finally {
            try {
              whileRedisRecovers(
                  () ->
                      redis.xack(
                          RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP, entry.getID()));
            } catch (JedisException e) {
              // Still pending: the next start of this worker answers it as interrupted.
              log.warn(
                  "Could not acknowledge activation entry {}: {}", entry.getID(), e.toString());
            } finally {
              slots.release();
            }
          }
        });
  }

  private void handle(StreamEntry entry) {
    var json = entry.getFields().get("request");
    if (json == null) {
      log.warn("Ignoring activation entry {} without a request", entry.getID());
      return;
    }
    var request = Json.read(json, ActivationRequest.class);
    // The timeout covers the wait in the queue too: the caller stops waiting at its end, and its
    // admission against the parallel limits ends with it. Both ends are on Redis's clock (the
    // entry id is the time XADD took it), so no skew between hosts enters the budget.
    // Retried like the result: a Redis blip between reading the call and running it must not
    // leave the call acknowledged with no answer.
    long queuedMs =
        Math.max(0, whileRedisRecovers(() -> RedisClock.millis(redis)) - entry.getID().getTime());
    if (queuedMs >= request.timeoutMs()) {
      log.info("[{}] dropping stale activation {}", request.function(), request.id());
      // Its caller may still be waiting out the result margin: tell it now, not with a 504 later.
      var timedOut =
          new ActivationResult(
              request.id(),
              ActivationOutcome.TIMED_OUT,
              "",
              -1,
              "the call waited "
                  + queuedMs
                  + " ms in the queue, past its timeout "
                  + request.timeoutMs()
                  + " ms, and was not run",
              0);
      whileRedisRecovers(() -> pushResult(request.id(), timedOut));
      return;
    }
    long startedAt = clock.millis();
    var activation = runner.run(request, request.timeoutMs() - queuedMs);
    var result =
        new ActivationResult(
            request.id(),
            activation.outcome(),
            activation.stdout(),
            activation.exitCode(),
            activation.error(),
            activation.durationMs());
    // The call is done: a Redis outage now must not lose its answer while its caller still waits.
    whileRedisRecovers(() -> pushResult(request.id(), result));
    try {
      keepRecord(request, activation, startedAt);
    } catch (JedisException e) {
      log.warn(
          "[{}] no record kept of activation {}: {}",
          request.function(),
          request.id(),
          e.toString());
    }
    log.info(
        "[{}] activation {} {} in {} ms",
        request.function(),
        request.id(),
        activation.outcome(),
        activation.durationMs());
  }

  private void keepRecord(ActivationRequest request, Activation activation, long startedAt) {
    var record =
        new ActivationRecord(
            request.id(),
            request.function(),
            request.owner(),
            startedAt,
            activation.durationMs(),
            activation.exitCode(),
            activation.stdoutBytes(),
            activation.outcome(),
            activation.stderrTail());
    redis.set(
        RedisKeys.activation(request.id()),
        Json.write(record),
        SetParams.setParams().ex(settings.recordRetention().toSeconds()));
    var list = RedisKeys.functionActivations(request.function());
    redis.lpush(list, request.id());
    redis.ltrim(list, 0, settings.recordsPerFunction() - 1L);
    redis.expire(list, settings.recordRetention().toSeconds());
  }

  /**
   * Runs {@code action}, retrying while Redis cannot be reached, for at most {@link
   * #REDIS_RETRY_MS}: about the margin a caller waits past its timeout for a result.
   */
  private void whileRedisRecovers(Runnable action) {
    whileRedisRecovers(
        () -> {
          action.run();
          return null;
        });
  }

  /** {@link #whileRedisRecovers(Runnable)} for a read. */
  private <T> T whileRedisRecovers(Supplier<T> read) {
    long deadline = System.nanoTime() + REDIS_RETRY_MS * 1_000_000;
    long backoffMs = 100;
    while (true) {
      try {
        return read.get();
      } catch (JedisConnectionException e) {
        if (closed || System.nanoTime() - deadline >= 0) {
          throw e;
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoffMs = Math.min(backoffMs * 2, 1000);
      }
    }
  }

  /** Failed reads of the stream since start (a lost connection to Redis, for one); for tests. */
  long readFailures() {
    return readFailures.get();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    activations.shutdownNow();
  }
}
