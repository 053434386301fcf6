package io.stoke.common.registry;

import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Follows {@link RedisKeys#EVENTS} on a thread of its own and reconnects when Redis goes away.
 * After every (re)connection it calls {@code onConnected} first, so the subscriber re-reads the
 * registry and never acts on a state that changed while it was not listening.
 */
public final class EventSubscription implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventSubscription.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final UnifiedJedis redis;
  private final Runnable onConnected;
  private final Consumer<InstanceEvent> onEvent;
  private final Thread thread;
  private volatile boolean closed;
  private volatile JedisPubSub pubSub;

  private EventSubscription(
      UnifiedJedis redis, Runnable onConnected, Consumer<InstanceEvent> onEvent, String name) {
    this.redis = redis;
    this.onConnected = onConnected;
    this.onEvent = onEvent;
    this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
  }

  /** Starts following events; {@code onConnected} runs on each (re)subscription. */
  public static EventSubscription start(
      UnifiedJedis redis, String name, Runnable onConnected, Consumer<InstanceEvent> onEvent) {
    var subscription = new EventSubscription(redis, onConnected, onEvent, name);
    subscription.thread.start();
    return subscription;
  }

  private void run() {
    long backoffMs = 50;
    while (!closed) {
      var listener = new Listener();
      pubSub = listener;
      try {
        redis.subscribe(listener, RedisKeys.EVENTS);
        backoffMs = 50;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("Event subscription lost ({}); retrying in {} ms", e.toString(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    var current = pubSub;
    if (current != null && current.isSubscribed()) {
      current.unsubscribe();
    }
    thread.interrupt();
  }

  private final class Listener extends JedisPubSub {
    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      runSafely(onConnected);
    }

    @Override
    public void onMessage(String channel, String message) {
      InstanceEvent event;
      try {
        event = Json.read(message, InstanceEvent.class);
      } catch (RuntimeException e) {
        log.warn("Ignoring unreadable event {}: {}", message, e.toString());
        return;
      }
      runSafely(() -> onEvent.accept(event));
    }
  }

  private static void runSafely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("Event handler failed", e);
    }
  }
}
