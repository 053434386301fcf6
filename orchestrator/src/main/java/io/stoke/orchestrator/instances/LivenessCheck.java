package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.FunctionSet;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every READY instance's readiness path, in parallel and with a bounded timeout, whether it
 * still answers, and has {@link InstanceManager#replace} take one out of rotation after {@code
 * failures} consecutive misses: a hung process keeps running, so Docker reports nothing.
 */
public final class LivenessCheck {

  private static final Logger log = LoggerFactory.getLogger(LivenessCheck.class);

  private final FunctionSet functions;
  private final InstanceRegistry registry;
  private final InstanceManager instances;
  private final ReadinessProbe probe;
  private final LivenessSettings settings;
  private final Map<String, Integer> misses = new ConcurrentHashMap<>();

  public LivenessCheck(
      FunctionSet functions,
      InstanceRegistry registry,
      InstanceManager instances,
      ReadinessProbe probe,
      LivenessSettings settings) {
    this.functions = functions;
    this.registry = registry;
    this.instances = instances;
    this.probe = probe;
    this.settings = settings;
  }

  /** One pass over every READY instance of every http-mode function. */
  public void check() throws InterruptedException {
    var checked = ConcurrentHashMap.<String>newKeySet();
    var jobs = new ArrayList<Callable<Void>>();
    for (var def : functions.all()) {
      if (def.mode() != ExecutionMode.HTTP) {
        continue;
      }
      for (var instance : registry.instances(def.name())) {
        if (instance.isReady() && !instances.isBusy(instance.id())) {
          jobs.add(() -> checkOne(def, instance, checked));
        }
      }
    }
    try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
      workers.invokeAll(jobs);
    }
    misses.keySet().retainAll(Set.copyOf(checked));
  }

  private Void checkOne(FunctionDefinition def, Instance instance, Set<String> checked) {
    checked.add(instance.id());
    int timeoutMs = (int) settings.timeout().toMillis();
    if (probe.isReady(instance.host(), instance.port(), def.readinessPath(), timeoutMs)) {
      misses.remove(instance.id());
      return null;
    }
    int missed = misses.merge(instance.id(), 1, Integer::sum);
    log.warn(
        "[{}] instance {} did not answer {} within {} ms ({} of {} misses)",
        def.name(),
        instance.id(),
        def.readinessPath(),
        timeoutMs,
        missed,
        settings.failures());
    if (missed >= settings.failures()) {
      misses.remove(instance.id());
      instances.replace(
          instance,
          "did not answer " + def.readinessPath() + " " + missed + " times in a row (hung)");
    }
    return null;
  }
}
