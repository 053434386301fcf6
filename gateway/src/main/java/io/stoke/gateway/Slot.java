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
  private final java.net.InetSocketAddress address;
  private final String hostHeader;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicLong lastStartMs = new AtomicLong();
  private final AtomicBoolean dirty = new AtomicBoolean();

  public Slot(Instance instance) {
    this.instance = instance;
    this.hostHeader = instance.host() + ":" + instance.port();
    // Resolved once, off the request path (instances register by IP address).
    this.address = new java.net.InetSocketAddress(instance.host(), instance.port());
  }

  /** The instance's socket address. */
  public java.net.InetSocketAddress address() {
    return address;
  }

  /** {@code host:port}, as a request's Host header. */
  public String hostHeader() {
    return hostHeader;
  }

  public Instance instance() {
    return instance;
  }

  public String id() {
    return instance.id();
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
