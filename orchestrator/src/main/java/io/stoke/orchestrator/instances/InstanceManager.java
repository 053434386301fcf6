package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.FunctionSet;
import io.stoke.orchestrator.docker.ContainerSettings;
import io.stoke.orchestrator.docker.ContainerSpecs;
import io.stoke.orchestrator.docker.DockerContainers;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Starts, probes and drains the instances of functions, and keeps the registry in step. One lock
 * per function makes starts single-flight: concurrent demand for a cold function starts one
 * container.
 */
public final class InstanceManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InstanceManager.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int LOG_TAIL_LINES = 30;

  /** A start in progress; {@code outcome} completes when the instance is ready or failed. */
  public record Launch(String instanceId, CompletableFuture<ColdStart> outcome) {}

  private static final class Probing {
    volatile boolean died;

    /** Drained before it was ready: its container is being removed, nobody must fail it. */
    volatile boolean drained;
  }

  private final DockerContainers docker;
  private final InstanceRegistry registry;
  private final UnifiedJedis redis;
  private final ReadinessProbe probe;
  private final FunctionSet functions;
  private final ContainerSettings settings;
  private final Clock clock;
  private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Probing> launching = new ConcurrentHashMap<>();
  private final Set<String> draining = ConcurrentHashMap.newKeySet();
  private final InflightWait inflight;
  private volatile Consumer<String> onChange = function -> {};

  public InstanceManager(
      DockerContainers docker,
      InstanceRegistry registry,
      UnifiedJedis redis,
      ReadinessProbe probe,
      FunctionSet functions,
      ContainerSettings settings,
      Clock clock) {
    this.docker = docker;
    this.registry = registry;
    this.redis = redis;
    this.probe = probe;
    this.functions = functions;
    this.settings = settings;
    this.clock = clock;
    this.inflight = new InflightWait(redis, clock);
  }

  /** Called with a function's name when one of its instances became ready or went away. */
  public void onChange(Consumer<String> listener) {
    this.onChange = listener;
  }

  /** A request found no ready instance: make sure one is starting. */
  public List<Launch> demand(String function) {
    var def = functions.find(function);
    if (def.isEmpty()) {
      var reason = functions.failure(function).orElse("function " + function + " is not deployed");
      registry.publish(
          new InstanceEvent(InstanceEvent.Type.FAILED, function, "", reason, clock.millis()));
      return List.of();
    }
    if (def.get().mode() == ExecutionMode.EXEC) {
      return List.of();
    }
    return withLock(function, () -> active(def.get()).isEmpty() ? launch(def.get(), 1) : List.of());
  }

  /**
   * Starts or drains instances of {@code function} until it has {@code desired} of the current
   * version, clamped to [minInstances, maxInstances].
   */
  public List<Launch> scaleTo(String function, int desired) {
    var def = functions.find(function);
    if (def.isEmpty() || def.get().mode() == ExecutionMode.EXEC) {
      return List.of();
    }
    return withLock(function, () -> resize(def.get(), active(def.get()), desired));
  }

  private List<Launch> resize(FunctionDefinition def, List<Instance> active, int desired) {
    var scaling = def.scaling();
    int target = Math.clamp(desired, scaling.minInstances(), scaling.maxInstances());
    if (active.size() < target) {
      return launch(def, target - active.size());
    }
    if (active.size() > target) {
      var activity = redis.hgetAll(RedisKeys.activity(def.name()));
      IdleDecision.toScaleDown(active, activity, active.size() - target)
          .forEach(i -> drain(i, "scaled down to " + target));
    }
    return List.of();
  }

  /** Non-draining instances running the function's current definition. */
  public List<Instance> active(FunctionDefinition def) {
    var digest = def.definitionDigest();
    return registry.instances(def.name()).stream()
        .filter(i -> i.state() != InstanceState.DRAINING && !draining.contains(i.id()))
        .filter(i -> digest.equals(i.digest()))
        .toList();
  }

  /** True while this manager is starting or draining the instance; reconcile leaves it alone. */
  public boolean isBusy(String instanceId) {
    return launching.containsKey(instanceId) || draining.contains(instanceId);
  }

  /** True while this manager drains the instance. */
  public boolean isDraining(String instanceId) {
    return draining.contains(instanceId);
  }

  private <T> T withLock(String function, java.util.function.Supplier<T> action) {
    var lock = locks.computeIfAbsent(function, f -> new ReentrantLock());
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** Starts {@code count} instances; the containers are created now, probed in the background. */
  public List<Launch> launch(FunctionDefinition def, int count) {
    var launches = new ArrayList<Launch>();
    for (int n = 0; n < count; n++) {
      launches.add(launchOne(def));
    }
    return launches;
  }

  private Launch launchOne(FunctionDefinition def) {
    var id = newInstanceId();
    var outcome = new CompletableFuture<ColdStart>();
    var probing = new Probing();
    launching.put(id, probing);
    var spec = ContainerSpecs.forFunction(def, def.image(), id, settings);
    long startedAt = clock.millis();
    Instance instance;
    String containerId = null;
    try {
      containerId = docker.run(spec);
      var endpoint =
          docker.endpoint(containerId, spec.name(), spec.containerPort(), spec.publishIp());
      instance =
          new Instance(
              id,
              def.name(),
              def.version(),
              def.definitionDigest(),
              endpoint.host(),
              endpoint.port(),
              InstanceState.STARTING,
              containerId,
              startedAt,
              0);
      registry.put(instance);
      registry.publish(InstanceEvent.of(InstanceEvent.Type.STARTING, instance, clock.millis()));
    } catch (RuntimeException e) {
      launching.remove(id);
      if (containerId != null) {
        removeQuietly(def.name(), containerId);
      }
      var reason = "could not start a container of " + def.image() + ": " + e.getMessage();
      log.error("[{}] {}", def.name(), reason, e);
      registry.publish(
          new InstanceEvent(InstanceEvent.Type.FAILED, def.name(), id, reason, clock.millis()));
      outcome.complete(new ColdStart.Failed(def.name(), reason));
      return new Launch(id, outcome);
    }
    log.info("[{}] starting instance {} on {}", def.name(), id, instance.address());
    tasks.submit(() -> outcome.complete(awaitReady(def, instance, probing)));
    return new Launch(id, outcome);
  }

  /** Removes a container that could not be registered, so it runs nowhere unaccounted for. */
  private void removeQuietly(String function, String containerId) {
    try {
      docker.remove(containerId);
    } catch (RuntimeException e) {
      log.error(
          "[{}] cannot remove unregistered container {}: {}", function, containerId, e.toString());
    }
  }

  private ColdStart awaitReady(FunctionDefinition def, Instance instance, Probing probing) {
    try {
      long deadline = instance.startedAt() + def.scaling().startTimeout().toMillis();
      var result =
          probe.await(
              instance.host(),
              instance.port(),
              def.readinessPath(),
              deadline,
              () -> probing.died || probing.drained);
      if (probing.drained) {
        return new ColdStart.Failed(def.name(), "drained before it became ready");
      }
      return switch (result) {
        case READY -> withLock(def.name(), () -> ready(instance, probing));
        case GONE -> {
          var reason = "instance " + instance.id() + " exited before it was ready";
          fail(instance, reason);
          yield new ColdStart.Failed(def.name(), reason);
        }
        case TIMED_OUT -> {
          var reason =
              "instance "
                  + instance.id()
                  + " was not ready within "
                  + def.scaling().startTimeout().toMillis()
                  + " ms";
          fail(instance, reason);
          yield new ColdStart.TimedOut(def.name(), reason);
        }
      };
    } catch (RuntimeException e) {
      var reason = "instance " + instance.id() + " failed: " + e.getMessage();
      log.error("[{}] {}", def.name(), reason, e);
      fail(instance, reason);
      return new ColdStart.Failed(def.name(), reason);
    } finally {
      launching.remove(instance.id());
    }
  }

  /** Under the function's lock, so a scale-down sees it either STARTING or READY, never between. */
  private ColdStart ready(Instance starting, Probing probing) {
    if (probing.drained || draining.contains(starting.id())) {
      // Scaled down while it started: the drain owns it now, READY must not reopen it to traffic.
      return new ColdStart.Failed(starting.function(), "drained before it became ready");
    }
    var ready = starting.ready(clock.millis());
    inflight.seed(ready);
    registry.put(ready);
    registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, ready, clock.millis()));
    log.info(
        "[{}] instance {} ready in {} ms",
        ready.function(),
        ready.id(),
        ready.readyAt() - ready.startedAt());
    notifyChange(ready.function());
    return new ColdStart.Ready(ready);
  }

  private void fail(Instance instance, String reason) {
    var tail = docker.logTail(instance.containerId(), LOG_TAIL_LINES);
    log.error("[{}] {}; last output:\n{}", instance.function(), reason, tail);
    docker.remove(instance.containerId());
    registry.remove(instance.function(), instance.id());
    registry.publish(
        new InstanceEvent(
            InstanceEvent.Type.FAILED, instance.function(), instance.id(), reason, clock.millis()));
    notifyChange(instance.function());
  }

  /**
   * Drains the instance in the background: DRAINING (no new requests), wait for its in-flight
   * requests (bounded by the function's timeout), SIGTERM with a grace period, then remove. A
   * STARTING instance served nothing and may not handle SIGTERM yet: it is removed at once.
   */
  public void drain(Instance instance, String why) {
    if (!draining.add(instance.id())) {
      return;
    }
    boolean starting = instance.state() == InstanceState.STARTING;
    var probing = launching.get(instance.id());
    if (starting && probing != null) {
      probing.drained = true;
    }
    tasks.submit(
        () -> {
          try {
            if (starting) {
              removeNow(instance, why + " before it was ready");
            } else {
              drainNow(instance, why);
            }
          } catch (RuntimeException e) {
            log.error("[{}] draining {} failed", instance.function(), instance.id(), e);
          } finally {
            draining.remove(instance.id());
          }
        });
  }

  private void drainNow(Instance instance, String why) throws RuntimeException {
    log.info("[{}] draining instance {}: {}", instance.function(), instance.id(), why);
    var drainingInstance = instance.withState(InstanceState.DRAINING);
    registry.put(drainingInstance);
    registry.publish(
        InstanceEvent.of(InstanceEvent.Type.DRAINING, drainingInstance, clock.millis()));
    var timeout =
        functions
            .find(instance.function())
            .map(FunctionDefinition::timeout)
            .orElse(FunctionDefinition.DEFAULT_TIMEOUT);
    try {
      if (!inflight.awaitNone(instance, clock.millis() + timeout.toMillis())) {
        log.warn(
            "[{}] {} still busy or unknown after {} ms; stopping it",
            instance.function(),
            instance.id(),
            timeout.toMillis());
      }
    } catch (InterruptedException e) {
      // Shutting down: stop it anyway, so no DRAINING entry outlives this process; the runtime
      // still finishes its requests on SIGTERM.
      Thread.currentThread().interrupt();
    }
    docker.stop(instance.containerId(), (int) Math.max(1, timeout.toSeconds()));
    removeNow(instance, why);
  }

  /** Removes the container at once (SIGKILL) and the registry entry. */
  private void removeNow(Instance instance, String why) {
    docker.remove(instance.containerId());
    removed(instance, why);
  }

  /**
   * Takes an instance that stopped answering out of rotation (DRAINING, so gateways stop routing to
   * it), removes it at once (it answers nothing, so there is nothing to wait for) and starts a
   * replacement when it ran the current definition.
   */
  public void replace(Instance instance, String why) {
    var def = functions.find(instance.function());
    withLock(
        instance.function(),
        () -> {
          int before = def.map(d -> active(d).size()).orElse(0);
          if (!draining.add(instance.id())) {
            return List.of();
          }
          log.warn("[{}] replacing instance {}: {}", instance.function(), instance.id(), why);
          var out = instance.withState(InstanceState.DRAINING);
          registry.put(out);
          registry.publish(InstanceEvent.of(InstanceEvent.Type.DRAINING, out, clock.millis()));
          tasks.submit(() -> removeReplaced(instance, why));
          return def.filter(d -> d.definitionDigest().equals(instance.digest()))
              .map(d -> resize(d, active(d), before))
              .orElse(List.of());
        });
  }

  private void removeReplaced(Instance instance, String why) {
    try {
      removeNow(instance, why);
    } catch (RuntimeException e) {
      log.error("[{}] removing {} failed", instance.function(), instance.id(), e);
    } finally {
      draining.remove(instance.id());
    }
  }

  /** Removes a registry entry whose container is gone, and announces it. */
  public void removed(Instance instance, String why) {
    forget(instance, why);
  }

  /** Removes and announces the entry; false when it was gone already (someone else removed it). */
  private boolean forget(Instance instance, String why) {
    boolean removed = registry.remove(instance.function(), instance.id());
    if (removed) {
      registry.publish(
          new InstanceEvent(
              InstanceEvent.Type.REMOVED, instance.function(), instance.id(), why, clock.millis()));
      log.info("[{}] instance {} removed: {}", instance.function(), instance.id(), why);
    }
    notifyChange(instance.function());
    return removed;
  }

  /**
   * Docker reported that an instance's container was killed or ran out of memory ({@code exited}
   * false), or that it exited. A start in progress fails at once. An instance nobody is draining
   * leaves the registry now, before anything slow, so gateways stop routing to it (the engine's
   * port proxy still accepts connections to a dead instance until it has cleaned up), and a
   * replacement starts at once; once the container exited, it is removed.
   */
  public void containerDied(
      String function, String instanceId, String containerId, boolean exited) {
    var probing = launching.get(instanceId);
    if (probing != null) {
      probing.died = true;
      return;
    }
    if (draining.contains(instanceId)) {
      return;
    }
    registry.instances(function).stream()
        .filter(i -> i.id().equals(instanceId))
        .findFirst()
        .ifPresent(i -> lost(i, exited ? "container exited" : "container killed"));
    if (exited) {
      tasks.submit(() -> docker.remove(containerId));
    }
  }

  /**
   * Drops an instance that died while serving and, when it ran the function's current definition,
   * restores the count of active instances it was part of: the autoscaler had chosen that count
   * (the idle rule still scales it down later), and waiting for the next reconcile or decision
   * would leave requests queueing. The count is taken before the drop, so a reconcile that starts a
   * replacement at the same time (minInstances) aims at the same number and nothing is started
   * twice; instances the autoscaler added meanwhile are kept.
   */
  private void lost(Instance instance, String why) {
    var current =
        functions
            .find(instance.function())
            .filter(def -> def.mode() == ExecutionMode.HTTP)
            .filter(def -> def.definitionDigest().equals(instance.digest()));
    int before = current.map(def -> active(def).size()).orElse(0);
    if (forget(instance, why) && current.isPresent()) {
      tasks.submit(() -> replace(instance, before));
    }
  }

  /** Starts instances until the function has {@code count} active again; never drains one. */
  private void replace(Instance dead, int count) {
    try {
      functions
          .find(dead.function())
          .ifPresent(
              def ->
                  withLock(def.name(), () -> launch(def, Math.max(0, count - active(def).size()))));
    } catch (RuntimeException e) {
      log.error("[{}] replacing instance {} failed", dead.function(), dead.id(), e);
    }
  }

  private void notifyChange(String function) {
    try {
      onChange.accept(function);
    } catch (RuntimeException e) {
      log.error("[{}] change listener failed", function, e);
    }
  }

  static String newInstanceId() {
    var bytes = new byte[5];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    tasks.shutdownNow();
  }
}
