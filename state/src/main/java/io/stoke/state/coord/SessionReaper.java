package io.stoke.state.coord;

import io.stoke.state.redis.LuaScript;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires sessions past their deadline (Redis's clock): deletes their ephemeral nodes and tells
 * their watchers. Any number of state services may reap at once: each expiry is one script.
 */
public final class SessionReaper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SessionReaper.class);
  private static final int BATCH = 20;

  private final LuaScript coord;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("state-reaper").factory());

  public SessionReaper(LuaScript coord, Duration interval) {
    this.coord = coord;
    timer.scheduleWithFixedDelay(this::reap, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reap() {
    try {
      while (((Number) coord.run(List.of("reap", Integer.toString(BATCH))).get("expired"))
              .intValue()
          == BATCH) {
        LOG.debug("expired a batch of {} sessions; looking for more", BATCH);
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot expire sessions now ({}); trying again next round", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
