package io.stoke.state.coord;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Wakes long-polls when any session got an event: a subscriber on {@code stoke:state:events} bumps
 * a generation. Pollers re-read Redis at least every second anyway, so a lost message (Redis
 * restarting) only delays an event, never loses it.
 */
public final class EventNotifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventNotifier.class);
  public static final String CHANNEL = "stoke:state:events";

  private final UnifiedJedis redis;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private final JedisPubSub subscriber =
      new JedisPubSub() {
        @Override
        public void onMessage(String channel, String message) {
          bump();
        }
      };
  private volatile boolean running = true;
  private long generation;

  public EventNotifier(UnifiedJedis redis) {
    this.redis = redis;
    this.thread = Thread.ofPlatform().daemon().name("state-events").start(this::listen);
  }

  private void listen() {
    while (running) {
      try {
        redis.subscribe(subscriber, CHANNEL);
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("event subscription lost ({}); subscribing again", e.toString());
          bump();
          // Back off while Redis is down; pollers re-read Redis every second meanwhile.
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
      }
    }
  }

  private void bump() {
    lock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the generation moves past {@code seen}, or {@code nanos} pass. */
  public void awaitChange(long seen, long nanos) {
    lock.lock();
    try {
      long left = nanos;
      while (generation == seen && left > 0) {
        left = changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    running = false;
    if (subscriber.isSubscribed()) {
      subscriber.unsubscribe();
    }
    thread.interrupt();
  }
}
