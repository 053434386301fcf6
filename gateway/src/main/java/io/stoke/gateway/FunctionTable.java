package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The gateway's in-memory view of the functions and their READY instances: one {@link FunctionGate}
 * per published function. The request path only reads it; {@link RegistryFollower} writes it from
 * Redis off the event loop.
 */
public final class FunctionTable {

  private final Clock clock;
  private final Duration demandInterval;
  private final Consumer<String> demandSignal;
  private final Consumer<FunctionGate> onAdded;
  private final Consumer<FunctionGate> onRemoved;
  private final boolean limitConcurrency;
  private volatile Map<String, FunctionGate> gates = Map.of();

  /** Gates of removed functions whose instances' final activity is not written yet. */
  private final Set<FunctionGate> retiring = ConcurrentHashMap.newKeySet();

  /**
   * @param demandSignal receives a function's name when a request finds it cold
   * @param onAdded called for every new gate (metrics registration)
   * @param onRemoved called for every gate of a function no longer published
   * @param limitConcurrency whether gates enforce each function's per-instance concurrency
   */
  public FunctionTable(
      Clock clock,
      Duration demandInterval,
      Consumer<String> demandSignal,
      Consumer<FunctionGate> onAdded,
      Consumer<FunctionGate> onRemoved,
      boolean limitConcurrency) {
    this.clock = clock;
    this.demandInterval = demandInterval;
    this.demandSignal = demandSignal;
    this.onAdded = onAdded;
    this.onRemoved = onRemoved;
    this.limitConcurrency = limitConcurrency;
  }

  /** The gate of a published function, or null. */
  public FunctionGate gate(String function) {
    return gates.get(function);
  }

  public Collection<FunctionGate> all() {
    return gates.values();
  }

  /**
   * The gates whose instance activity is to be written: every published function's, and those of
   * removed functions until their last request ended and that was written (the orchestrator waits
   * for it before stopping a removed function's instances).
   */
  public Collection<FunctionGate> activityGates() {
    if (retiring.isEmpty()) {
      return gates.values();
    }
    var all = new ArrayList<FunctionGate>(gates.values());
    all.addAll(retiring);
    return all;
  }

  /** Lets go of removed functions' gates with nothing left to report. */
  public void forgetReported() {
    retiring.removeIf(gate -> !gate.hasActivityToReport());
  }

  /**
   * Makes the published function set current: new functions get a gate, changed definitions are
   * applied, removed functions fail their waiters. {@code instances} supplies each function's
   * registry entries.
   */
  public synchronized void applyCatalog(
      FunctionDefinitions catalog, java.util.function.Function<String, List<Instance>> instances) {
    var next = new HashMap<String, FunctionGate>();
    for (FunctionDefinition definition : catalog.functions()) {
      var gate = gates.get(definition.name());
      if (gate == null) {
        gate = new FunctionGate(definition, clock, demandInterval, demandSignal, limitConcurrency);
        onAdded.accept(gate);
      }
      gate.update(definition, instances.apply(definition.name()));
      next.put(definition.name(), gate);
    }
    var previous = gates;
    gates = Map.copyOf(next);
    previous.forEach(
        (name, gate) -> {
          if (!next.containsKey(name)) {
            gate.removed();
            retiring.add(gate);
            onRemoved.accept(gate);
          }
        });
  }

  /** Applies one function's registry entries; ignored for an unpublished function. */
  public void applyInstances(String function, List<Instance> instances) {
    var gate = gates.get(function);
    if (gate != null) {
      gate.update(gate.definition(), instances);
    }
  }

  /** Applies the parts of an event that need no Redis read: failures fail held requests. */
  public void applyFailure(InstanceEvent event) {
    var gate = gates.get(event.function());
    if (gate != null) {
      gate.coldStartFailed(event.reason());
    }
  }
}
