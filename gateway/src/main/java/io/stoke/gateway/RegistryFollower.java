package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.EventSubscription;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.gateway.logging.RepeatedWarnings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Keeps the {@link FunctionTable} in step with Redis: a full resync at start, after every
 * (re)subscription and every {@code resyncInterval}; one function re-read per instance event. All
 * Redis reads run on {@code executor}, never on an event loop.
 *
 * <p>In envoy mode a READY instance takes requests only once Envoy routes to it ({@link
 * RedisKeys#routed(String)}, written by the xDS control plane when Envoy acknowledged its
 * endpoint): until then Envoy would answer "no healthy upstream", so held requests stay held.
 */
public final class RegistryFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistryFollower.class);

  private final UnifiedJedis redis;
  private final FunctionTable table;
  private final FunctionCatalog catalog;
  private final InstanceRegistry registry;
  private final ScheduledExecutorService executor;
  private final Duration resyncInterval;
  private final boolean onlyRouted;
  private final RepeatedWarnings warnings;
  private EventSubscription subscription;

  public RegistryFollower(
      UnifiedJedis redis,
      FunctionTable table,
      ScheduledExecutorService executor,
      Duration resyncInterval,
      boolean onlyRouted,
      Clock clock) {
    this.onlyRouted = onlyRouted;
    this.warnings = new RepeatedWarnings(log, "registry reads", clock, RepeatedWarnings.WINDOW);
    this.redis = redis;
    this.table = table;
    this.catalog = new FunctionCatalog(redis);
    this.registry = new InstanceRegistry(redis);
    this.executor = executor;
    this.resyncInterval = resyncInterval;
  }

  /** Syncs once (so the gateway serves known functions from its first request), then follows. */
  public void start() {
    resync();
    subscription =
        EventSubscription.start(
            redis, "stoke-gateway-events", () -> executor.execute(this::resync), this::onEvent);
    long periodMs = resyncInterval.toMillis();
    executor.scheduleWithFixedDelay(this::resync, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Re-reads every function and its instances. */
  public void resync() {
    try {
      table.applyCatalog(catalog.read(), this::instances);
      warnings.succeeded();
    } catch (RuntimeException e) {
      warnings.failed("Registry resync failed, keeping the last known view: " + e);
    }
  }

  private void onEvent(InstanceEvent event) {
    switch (event.type()) {
      case FUNCTIONS_CHANGED -> executor.execute(this::resync);
      case FAILED -> {
        executor.execute(() -> refresh(event.function()));
        // Fail held requests without waiting for the re-read: the event itself says why.
        table.applyFailure(event);
      }
      case STARTING, READY, DRAINING, REMOVED, ROUTED ->
          executor.execute(() -> refresh(event.function()));
    }
  }

  /** Re-reads one function's instances. */
  public void refresh(String function) {
    try {
      table.applyInstances(function, instances(function));
      warnings.succeeded();
    } catch (RuntimeException e) {
      warnings.failed("Cannot re-read instances of " + function + ": " + e);
    }
  }

  /** A function's instances as requests may use them: in envoy mode, READY only once routed. */
  private List<Instance> instances(String function) {
    var instances = registry.instances(function);
    if (!onlyRouted) {
      return instances;
    }
    var routed = redis.smembers(RedisKeys.routed(function));
    return instances.stream()
        .filter(i -> i.state() != InstanceState.READY || routed.contains(i.id()))
        .toList();
  }

  /** Re-reads one function's instances soon, off the caller's thread. */
  public void refreshLater(String function) {
    executor.execute(() -> refresh(function));
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
    executor.shutdownNow();
  }
}
