package io.stoke.xds;

import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the snapshot cache in step with the cluster state: a reconcile loop that re-reads the whole
 * state and publishes a new snapshot when any version changed. Change notifications are debounced,
 * so a burst of registry events costs one rebuild; a periodic resync repairs any missed event.
 */
public final class SnapshotPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final ClusterState source;
  private final SnapshotTranslator translator;
  private final SimpleCache<String> cache;
  private final String group;
  private final Duration debounce;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean resyncPending = new AtomicBoolean();
  private final AtomicReference<XdsState> current = new AtomicReference<>();
  private final AtomicLong published = new AtomicLong();
  private final BiConsumer<String, List<ClusterLoadAssignment>> beforePublishing;

  public SnapshotPublisher(
      ClusterState source,
      SnapshotTranslator translator,
      SimpleCache<String> cache,
      String group,
      Duration debounce) {
    this(source, translator, cache, group, debounce, (version, endpoints) -> {});
  }

  /**
   * @param beforePublishing told the endpoint version and endpoints of each snapshot before any
   *     client can see it (and so acknowledge it)
   */
  public SnapshotPublisher(
      ClusterState source,
      SnapshotTranslator translator,
      SimpleCache<String> cache,
      String group,
      Duration debounce,
      BiConsumer<String, List<ClusterLoadAssignment>> beforePublishing) {
    this.beforePublishing = beforePublishing;
    this.source = source;
    this.translator = translator;
    this.cache = cache;
    this.group = group;
    this.debounce = debounce;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("xds-snapshots").factory());
  }

  /** Resyncs every {@code interval} whatever the events say. */
  public void resyncEvery(Duration interval) {
    executor.scheduleWithFixedDelay(
        this::requestResync, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Asks for a resync after the debounce delay; requests arriving before it runs share it. Safe to
   * call from any thread.
   */
  public void requestResync() {
    if (resyncPending.compareAndSet(false, true)) {
      executor.schedule(this::runPendingResync, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void runPendingResync() {
    // Clear first: a change announced while we read is picked up by the next resync.
    resyncPending.set(false);
    try {
      resync();
    } catch (RuntimeException e) {
      log.warn("Snapshot resync failed, keeping the current snapshot: {}", e.toString());
    }
  }

  /**
   * Reads the state, translates it and publishes it when it differs from the current snapshot. Runs
   * on the publisher's thread, or on the caller's before {@link #resyncEvery} when starting.
   *
   * @return the state now served
   */
  public synchronized XdsState resync() {
    var state = translator.translate(source.functions(), source.instances());
    var previous = current.get();
    if (previous != null && previous.versions().equals(state.versions())) {
      return previous;
    }
    var snapshot = state.toSnapshot();
    try {
      snapshot.ensureConsistent();
    } catch (SnapshotConsistencyException e) {
      throw new IllegalStateException("translated snapshot is inconsistent", e);
    }
    beforePublishing.accept(state.versions().endpoints(), state.endpoints());
    cache.setSnapshot(group, snapshot);
    current.set(state);
    published.incrementAndGet();
    state.problems().forEach(problem -> log.warn("xDS: {}", problem));
    log.info(
        "Published snapshot: {} clusters, listeners {}, routes {}, clusters {}, endpoints {}",
        state.clusters().size(),
        state.versions().listeners(),
        state.versions().routes(),
        state.versions().clusters(),
        state.versions().endpoints());
    return state;
  }

  /** The state currently served, if one was published. */
  public Optional<XdsState> current() {
    return Optional.ofNullable(current.get());
  }

  /** How many snapshots were published since start. */
  public long publishedCount() {
    return published.get();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
