package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Admission for one function: its READY instances, their per-instance slots ({@code concurrency}
 * each), and the bounded FIFO of requests waiting for a slot or for a cold instance. Requests wait
 * without a thread: a waiter is a {@link MonoSink} completed when a slot frees up or an instance
 * becomes READY. Every state change happens under this object's lock; sinks are completed after the
 * lock is released.
 */
public final class FunctionGate {

  /** How long a client is told to wait after a 429 or 503. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /**
   * An instance that refused a connection is skipped for this long, even if the registry lists it.
   */
  static final Duration SUSPENSION = Duration.ofSeconds(2);

  private final String name;
  private final Clock clock;
  private final Duration demandInterval;
  private final Consumer<String> demandSignal;
  private final boolean limitConcurrency;

  /** Written under the lock, read without it: every request reads it, and it is immutable. */
  private volatile FunctionDefinition definition;

  private Balancer balancer;
  private volatile List<Slot> slots = List.of();

  /**
   * Slots taken out of rotation (draining, gone, refused) whose last activity has not reached Redis
   * yet: requests still in flight on them, or a change not flushed. The orchestrator waits for an
   * instance's in-flight count to reach 0 before stopping it, so that 0 must be written.
   */
  private final Set<Slot> retired = ConcurrentHashMap.newKeySet();

  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private final Map<String, Long> suspendedUntilMs = new HashMap<>();

  /** Instances taken out of rotation, by id, with the registry entry they had then. */
  private final Map<String, Instance> evicted = new HashMap<>();

  private long lastDemandMs = Long.MIN_VALUE / 2;
  private volatile int pending;
  private volatile int inflight;

  /** The registry's instances of the function by state, as last applied (for metrics). */
  private volatile Map<InstanceState, Integer> instancesByState = Map.of();

  /**
   * @param demandSignal called (outside the lock) when a request finds no READY instance, at most
   *     once per {@code demandInterval}
   * @param limitConcurrency false when another proxy (Envoy) enforces the per-instance limit, so
   *     the gate only holds requests while the function is cold
   */
  public FunctionGate(
      FunctionDefinition definition,
      Clock clock,
      Duration demandInterval,
      Consumer<String> demandSignal,
      boolean limitConcurrency) {
    this.name = definition.name();
    this.definition = definition;
    this.balancer = Balancer.of(definition.loadBalancing());
    this.clock = clock;
    this.demandInterval = demandInterval;
    this.demandSignal = demandSignal;
    this.limitConcurrency = limitConcurrency;
  }

  /** Requests one instance may take at once here; 0 = unlimited. */
  private int concurrency() {
    return limitConcurrency ? definition.scaling().concurrency() : 0;
  }

  public String name() {
    return name;
  }

  public FunctionDefinition definition() {
    return definition;
  }

  /** Requests held (cold) or queued (no free slot) now. */
  public int pending() {
    return pending;
  }

  /** Requests holding a lease now. */
  public int inflight() {
    return inflight;
  }

  /** How many of the function's instances the registry listed in {@code state} at the last read. */
  public int instances(InstanceState state) {
    return instancesByState.getOrDefault(state, 0);
  }

  /** The READY instances requests go to now. */
  public List<Slot> slots() {
    return slots;
  }

  /** Every slot whose activity may still have to be written: routable ones and retired ones. */
  public List<Slot> activitySlots() {
    if (retired.isEmpty()) {
      return slots;
    }
    var all = new ArrayList<Slot>(slots);
    all.addAll(retired);
    return all;
  }

  /** True while an instance has requests in flight or activity not yet written. */
  public boolean hasActivityToReport() {
    for (var slot : activitySlots()) {
      if (slot.inflight() > 0 || slot.isDirty()) {
        return true;
      }
    }
    return false;
  }

  /** Forgets retired slots whose final activity (nothing in flight) has been written. */
  public void forgetFlushed() {
    retired.removeIf(slot -> slot.inflight() == 0 && !slot.isDirty());
  }

  /**
   * A lease on an instance: at once when a slot is free and nobody waits, else after waiting in
   * FIFO order. Fails with {@link GatewayException} when the queue is full. Cancelling the Mono
   * (timeout, client gone) leaves the queue; a lease granted meanwhile is released.
   */
  public Mono<Lease> acquire() {
    return Mono.create(this::admit);
  }

  private void admit(MonoSink<Lease> sink) {
    Lease lease = null;
    GatewayException rejected = null;
    Waiter waiter = null;
    boolean demand;
    synchronized (this) {
      long now = clock.millis();
      boolean cold = slots.isEmpty();
      demand = cold && now - lastDemandMs >= demandInterval.toMillis();
      if (demand) {
        lastDemandMs = now;
      }
      Slot slot = waiters.isEmpty() ? balancer.pick(slots, concurrency()) : null;
      if (slot != null) {
        lease = start(slot, false, 0, now);
      } else if (waiters.size() >= definition.scaling().queueSize()) {
        rejected = queueFull(cold);
      } else {
        waiter = new Waiter(sink, cold, now);
        waiters.addLast(waiter);
        pending = waiters.size();
      }
    }
    if (demand) {
      demandSignal.accept(name);
    }
    if (lease != null) {
      sink.success(lease);
    } else if (rejected != null) {
      sink.error(rejected);
    } else {
      var queued = waiter;
      sink.onCancel(() -> cancel(queued));
    }
  }

  private GatewayException queueFull(boolean cold) {
    int size = definition.scaling().queueSize();
    if (cold) {
      return new GatewayException(
          GatewayException.Kind.COLD_QUEUE_FULL,
          "function " + name + " is starting and already holds " + size + " requests",
          RETRY_AFTER,
          null);
    }
    return new GatewayException(
        GatewayException.Kind.QUEUE_FULL,
        "function " + name + " is at its concurrency limit and its queue of " + size + " is full",
        RETRY_AFTER,
        null);
  }

  private Lease start(Slot slot, boolean cold, long waitedMs, long now) {
    slot.started(now);
    inflight++;
    return new Lease(this, slot, cold, waitedMs);
  }

  private void cancel(Waiter waiter) {
    Lease orphan = null;
    synchronized (this) {
      if (waiters.remove(waiter)) {
        pending = waiters.size();
        return;
      }
      orphan = waiter.granted;
    }
    if (orphan != null) {
      orphan.release();
    }
  }

  void release(Lease lease) {
    List<Runnable> handoffs;
    synchronized (this) {
      lease.slot().finished();
      inflight--;
      handoffs = dispatch();
    }
    handoffs.forEach(Runnable::run);
  }

  /** Hands free slots to waiters in FIFO order; returns the completions to run after unlocking. */
  private List<Runnable> dispatch() {
    if (waiters.isEmpty()) {
      return List.of();
    }
    var handoffs = new ArrayList<Runnable>();
    long now = clock.millis();
    int concurrency = concurrency();
    while (!waiters.isEmpty()) {
      var slot = balancer.pick(slots, concurrency);
      if (slot == null) {
        break;
      }
      var waiter = waiters.pollFirst();
      var lease = start(slot, waiter.cold, now - waiter.sinceMs, now);
      waiter.granted = lease;
      handoffs.add(() -> waiter.sink.success(lease));
    }
    pending = waiters.size();
    return handoffs;
  }

  /**
   * Replaces the definition and the instance set with what the registry says now: only READY,
   * unsuspended instances take requests. Slots of kept instances keep their in-flight counts.
   */
  public void update(FunctionDefinition newDefinition, List<Instance> instances) {
    List<Runnable> handoffs;
    synchronized (this) {
      if (!newDefinition.equals(definition)) {
        if (newDefinition.loadBalancing() != definition.loadBalancing()) {
          balancer = Balancer.of(newDefinition.loadBalancing());
        }
        definition = newDefinition;
      }
      long now = clock.millis();
      suspendedUntilMs.values().removeIf(until -> until <= now);
      // An eviction holds while the registry lists the instance as it was when it was evicted.
      var unchanged =
          instances.stream().filter(i -> i.equals(evicted.get(i.id()))).map(Instance::id).toList();
      evicted.keySet().retainAll(unchanged);
      var current = new HashMap<String, Slot>();
      retired.forEach(slot -> current.put(slot.id(), slot));
      slots.forEach(slot -> current.put(slot.id(), slot));
      var next = new ArrayList<Slot>();
      for (var instance : instances) {
        if (!instance.isReady()
            || suspendedUntilMs.containsKey(instance.id())
            || evicted.containsKey(instance.id())) {
          continue;
        }
        var existing = current.get(instance.id());
        boolean same = existing != null && existing.instance().address().equals(instance.address());
        next.add(same ? existing : new Slot(instance));
      }
      retired.removeAll(next);
      for (var slot : slots) {
        if (!next.contains(slot)) {
          retired.add(slot);
        }
      }
      slots = List.copyOf(next);
      instancesByState = countByState(instances);
      handoffs = dispatch();
    }
    handoffs.forEach(Runnable::run);
  }

  private static Map<InstanceState, Integer> countByState(List<Instance> instances) {
    var counts = new EnumMap<InstanceState, Integer>(InstanceState.class);
    instances.forEach(instance -> counts.merge(instance.state(), 1, Integer::sum));
    return counts;
  }

  /** Stops routing to an instance that refused a connection, until {@link #SUSPENSION} passes. */
  public void suspend(String instanceId) {
    synchronized (this) {
      suspendedUntilMs.put(instanceId, clock.millis() + SUSPENSION.toMillis());
      takeOutOfRotation(instanceId);
    }
  }

  /**
   * Stops routing to an instance that looks dead (it closed a new connection without answering)
   * until the registry lists it differently (another state, address or readiness) or drops it.
   */
  public void evict(Slot slot) {
    synchronized (this) {
      evicted.put(slot.id(), slot.instance());
      takeOutOfRotation(slot.id());
    }
  }

  private void takeOutOfRotation(String instanceId) {
    slots.stream().filter(slot -> slot.id().equals(instanceId)).forEach(retired::add);
    slots = slots.stream().filter(slot -> !slot.id().equals(instanceId)).toList();
  }

  /**
   * A cold start failed: when no READY instance is left to serve them, every waiting request fails
   * at once with {@code reason}.
   */
  public void coldStartFailed(String reason) {
    failWaiters(
        true,
        new GatewayException(
            GatewayException.Kind.COLD_START_FAILED,
            "function " + name + " failed to start: " + (reason.isBlank() ? "unknown" : reason),
            RETRY_AFTER,
            null));
  }

  /**
   * The function was removed: every waiting request fails, and its instances stay reported (as
   * retired) until their last activity — nothing in flight — has been written.
   */
  public void removed() {
    synchronized (this) {
      retired.addAll(slots);
      slots = List.of();
    }
    failWaiters(
        false,
        new GatewayException(
            GatewayException.Kind.UNKNOWN_FUNCTION, "function " + name + " was removed"));
  }

  private void failWaiters(boolean onlyWhenCold, GatewayException error) {
    var failed = new ArrayList<Waiter>();
    synchronized (this) {
      if (onlyWhenCold && !slots.isEmpty()) {
        return;
      }
      failed.addAll(waiters);
      waiters.clear();
      pending = 0;
    }
    failed.forEach(waiter -> waiter.sink.error(error));
  }

  /** One request waiting for a lease. */
  private static final class Waiter {
    private final MonoSink<Lease> sink;
    private final boolean cold;
    private final long sinceMs;
    private Lease granted;

    private Waiter(MonoSink<Lease> sink, boolean cold, long sinceMs) {
      this.sink = sink;
      this.cold = cold;
      this.sinceMs = sinceMs;
    }
  }
}
