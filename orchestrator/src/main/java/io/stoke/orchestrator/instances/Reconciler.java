package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.FunctionSet;
import io.stoke.orchestrator.docker.DockerContainers;
import io.stoke.orchestrator.docker.ManagedContainer;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the Stoke containers Docker runs with the registry and the current definitions, and acts
 * on the difference: adopts ready containers of current definitions, removes orphans and registry
 * entries without a container, replaces old versions (new instances first, the old ones drain once
 * a new one is ready), and keeps every function at its minimum. Running it twice changes nothing.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final int ADOPT_PROBE_TIMEOUT_MS = 500;

  private final DockerContainers docker;
  private final InstanceRegistry registry;
  private final InstanceManager instances;
  private final ReadinessProbe probe;
  private final FunctionSet functions;
  private final Clock clock;

  public Reconciler(
      DockerContainers docker,
      InstanceRegistry registry,
      InstanceManager instances,
      ReadinessProbe probe,
      FunctionSet functions,
      Clock clock) {
    this.docker = docker;
    this.registry = registry;
    this.instances = instances;
    this.probe = probe;
    this.functions = functions;
    this.clock = clock;
  }

  /** One pass over every Stoke container, registry entry and function. */
  public synchronized void reconcile() {
    var containers = docker.list();
    var registered = new HashMap<String, Instance>();
    registry.all().values().forEach(list -> list.forEach(i -> registered.put(i.id(), i)));
    var containerIds = new HashSet<String>();
    for (var container : containers) {
      containerIds.add(container.id());
      if (!instances.isBusy(container.instanceId())) {
        reconcileContainer(container, Optional.ofNullable(registered.get(container.instanceId())));
      }
    }
    registered.values().stream()
        .filter(i -> !containerIds.contains(i.containerId()) && !instances.isBusy(i.id()))
        .forEach(i -> instances.removed(i, "container gone"));
    var names = new TreeSet<String>();
    functions.all().forEach(f -> names.add(f.name()));
    registered.values().forEach(i -> names.add(i.function()));
    names.forEach(this::reconcileFunction);
  }

  private void reconcileContainer(ManagedContainer container, Optional<Instance> entry) {
    var def = functions.find(container.function());
    boolean current = def.isPresent() && def.get().definitionDigest().equals(container.digest());
    if (!container.running()) {
      docker.remove(container.id());
      entry.ifPresent(i -> instances.removed(i, "container exited"));
      return;
    }
    if (entry.isPresent()) {
      if (entry.get().state() == InstanceState.STARTING) {
        settleForeignStart(entry.get(), def);
      }
      return;
    }
    if (!current) {
      log.info(
          "[{}] removing orphan container {} (digest {})",
          container.function(),
          container.id(),
          container.digest());
      docker.remove(container.id());
      return;
    }
    adoptOrRemove(container, def.get());
  }

  /** A container of a current definition that the registry does not know (a previous run's). */
  private void adoptOrRemove(ManagedContainer container, FunctionDefinition def) {
    var endpoint = docker.publishedEndpoint(container.id(), def.port());
    boolean ready =
        endpoint.isPresent()
            && probe.isReady(
                endpoint.get().host(),
                endpoint.get().port(),
                def.readinessPath(),
                ADOPT_PROBE_TIMEOUT_MS);
    if (ready) {
      long now = clock.millis();
      var instance =
          new Instance(
              container.instanceId(),
              def.name(),
              def.version(),
              def.definitionDigest(),
              endpoint.get().host(),
              endpoint.get().port(),
              InstanceState.READY,
              container.id(),
              container.createdAt(),
              now);
      registry.put(instance);
      registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, instance, now));
      log.info("[{}] adopted running instance {}", def.name(), instance.id());
    } else if (clock.millis() - container.createdAt() > def.scaling().startTimeout().toMillis()) {
      log.info("[{}] removing never-ready container {}", def.name(), container.id());
      docker.remove(container.id());
    }
  }

  /** A STARTING entry no probe of this process follows: a previous run was starting it. */
  private void settleForeignStart(Instance instance, Optional<FunctionDefinition> def) {
    String path =
        def.map(FunctionDefinition::readinessPath)
            .orElse(FunctionDefinition.DEFAULT_READINESS_PATH);
    if (probe.isReady(instance.host(), instance.port(), path, ADOPT_PROBE_TIMEOUT_MS)) {
      var ready = instance.ready(clock.millis());
      registry.put(ready);
      registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, ready, clock.millis()));
      return;
    }
    long startTimeout = def.map(d -> d.scaling().startTimeout().toMillis()).orElse(0L).longValue();
    if (clock.millis() - instance.startedAt() > startTimeout) {
      docker.remove(instance.containerId());
      instances.removed(instance, "never became ready");
    }
  }

  /** Version replacement, removed functions and the minimum instance count. */
  private void reconcileFunction(String function) {
    var entries = registry.instances(function);
    var live =
        entries.stream()
            .filter(i -> i.state() != InstanceState.DRAINING && !instances.isBusy(i.id()))
            .toList();
    var def = functions.find(function);
    if (def.isEmpty()) {
      live.forEach(i -> instances.drain(i, "function removed"));
      return;
    }
    var digest = def.get().definitionDigest();
    List<Instance> stale = live.stream().filter(i -> !digest.equals(i.digest())).toList();
    if (def.get().mode() == ExecutionMode.EXEC) {
      stale.forEach(i -> instances.drain(i, "function runs one container per call"));
      return;
    }
    var active = instances.active(def.get());
    int wanted =
        Math.clamp(
            Math.max(active.size(), stale.size()),
            def.get().scaling().minInstances(),
            def.get().scaling().maxInstances());
    if (active.size() < wanted) {
      log.info("[{}] {} of {} instances running; starting more", function, active.size(), wanted);
      instances.scaleTo(function, wanted);
    }
    long ready = active.stream().filter(Instance::isReady).count();
    if (!stale.isEmpty() && ready >= Math.min(stale.size(), wanted)) {
      stale.forEach(i -> instances.drain(i, "replaced by version " + def.get().version()));
    }
  }
}
