package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One READY instance as the gateway routes to it: its address and the requests in flight on it. The
 * in-flight count is changed only under its {@link FunctionGate}'s lock; the activity fields are
 * read by the background flusher without it.
 */
public final class Slot {

  private final Instance instance;
  private final String uri;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicLong lastStartMs = new AtomicLong();
  private final AtomicBoolean dirty = new AtomicBoolean();

  public Slot(Instance instance) {
    this.instance = instance;
    this.uri = "http://" + instance.host() + ":" + instance.port();
  }

  public Instance instance() {
    return instance;
  }

  public String id() {
    return instance.id();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public String baseUri() {
    return uri;
  }

  public int inflight() {
    return inflight.get();
  }

  /** True when one more request fits; {@code concurrency} 0 means unlimited. */
  public boolean hasRoom(int concurrency) {
    return concurrency == 0 || inflight.get() < concurrency;
  }

  void started(long nowMs) {
    inflight.incrementAndGet();
    lastStartMs.set(nowMs);
    dirty.set(true);
  }

  void finished() {
    inflight.decrementAndGet();
    dirty.set(true);
  }

  /** Epoch ms of the latest request start; 0 when none. */
  public long lastStartMs() {
    return lastStartMs.get();
  }

  /** Marks the activity as not yet written (a write failed). */
  void markDirty() {
    dirty.set(true);
  }

  /** Whether activity changed since it was last taken, without taking it. */
  public boolean isDirty() {
    return dirty.get();
  }

  /** Clears and returns whether activity changed since the previous call. */
  public boolean takeDirty() {
    return dirty.getAndSet(false);
  }

  @Override
  public String toString() {
    return instance.id() + "@" + instance.address() + " inflight=" + inflight.get();
  }
}
