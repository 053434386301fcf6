package io.stoke.orchestrator;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.InvalidDefinitionsException;
import io.stoke.common.registry.EventSubscription;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.DefinitionsManager;
import io.stoke.orchestrator.definitions.FunctionSet;
import io.stoke.orchestrator.definitions.UserFunctionSource;
import io.stoke.orchestrator.docker.DockerContainers;
import io.stoke.orchestrator.image.ImageBuilder;
import io.stoke.orchestrator.instances.Autoscaling;
import io.stoke.orchestrator.instances.DemandConsumer;
import io.stoke.orchestrator.instances.DockerEventWatcher;
import io.stoke.orchestrator.instances.IdleReaper;
import io.stoke.orchestrator.instances.InstanceManager;
import io.stoke.orchestrator.instances.LivenessCheck;
import io.stoke.orchestrator.instances.ReadinessProbe;
import io.stoke.orchestrator.instances.Reconciler;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import redis.clients.jedis.UnifiedJedis;

/**
 * The orchestrator's loops: load and build at start, reconcile at start and periodically, follow
 * Docker events and the demand streams, drain idle instances, replace hung ones, reload changed
 * definitions. Stopping it leaves the instances serving; the next start adopts them.
 */
@Component
public class Orchestrator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  private final StokeProperties properties;
  private final InstanceManager instances;
  private final Reconciler reconciler;
  private final IdleReaper idleReaper;
  private final DefinitionsManager definitions;
  private final DockerEventWatcher events;
  private final DemandConsumer demand;
  private final Autoscaling autoscaling;
  private final LivenessCheck liveness;
  private final UnifiedJedis redis;
  private volatile EventSubscription userFunctionEvents;
  private volatile UnifiedJedis subscriptionRedis;
  private final ScheduledExecutorService loops =
      Executors.newScheduledThreadPool(
          3, Thread.ofPlatform().daemon().name("stoke-loop-", 0).factory());
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private volatile boolean running;

  public Orchestrator(
      StokeProperties properties,
      DockerClient dockerClient,
      DockerContainers docker,
      UnifiedJedis redis,
      InstanceRegistry registry,
      FunctionCatalog catalog,
      FunctionSet functions,
      ReadinessProbe probe,
      ImageBuilder images,
      InstanceManager instances,
      Clock clock) {
    this.properties = properties;
    this.instances = instances;
    this.redis = redis;
    this.reconciler = new Reconciler(docker, registry, instances, probe, functions, clock);
    this.idleReaper = new IdleReaper(functions, registry, redis, instances, clock);
    this.definitions =
        new DefinitionsManager(
            properties.definitions(),
            properties.functionsDir(),
            images,
            functions,
            catalog,
            registry,
            properties.pruneImages(),
            this::requestReconcile,
            clock,
            new UserFunctionSource(redis));
    this.events =
        new DockerEventWatcher(
            dockerClient, properties.installation(), instances, this::requestReconcile);
    this.autoscaling = new Autoscaling(functions, redis, instances, clock);
    this.liveness = new LivenessCheck(functions, registry, instances, probe, properties.liveness());
    this.demand =
        new DemandConsumer(
            redis,
            instances,
            autoscaling::signal,
            properties.consumerName(),
            properties.demandMaxAge(),
            clock);
    instances.onChange(function -> requestReconcile());
  }

  @Override
  public void start() {
    try {
      definitions.loadInitial();
    } catch (InvalidDefinitionsException e) {
      throw new IllegalStateException("Cannot start: " + e.getMessage(), e);
    }
    events.start();
    reconcileNow();
    demand.start();
    long reconcileMs = properties.reconcileInterval().toMillis();
    loops.scheduleWithFixedDelay(
        this::requestReconcile, reconcileMs, reconcileMs, TimeUnit.MILLISECONDS);
    long idleMs = properties.idleCheckInterval().toMillis();
    loops.scheduleWithFixedDelay(this::checkIdle, idleMs, idleMs, TimeUnit.MILLISECONDS);
    long autoscaleMs = properties.autoscaleInterval().toMillis();
    loops.scheduleWithFixedDelay(this::autoscale, autoscaleMs, autoscaleMs, TimeUnit.MILLISECONDS);
    long livenessMs = properties.liveness().interval().toMillis();
    loops.scheduleWithFixedDelay(
        this::checkLiveness, livenessMs, livenessMs, TimeUnit.MILLISECONDS);
    definitions.watch(properties.reloadPollInterval());
    // The api-server announces user-function changes; the catalog's own announcements carry no
    // function name, so they do not loop back here.
    // A client of its own: a subscription waits for its next message without limit, while the
    // orchestrator's shared client bounds every blocking read (RedisConnections).
    subscriptionRedis = RedisConnections.forSubscriptions(properties.redisUrl());
    userFunctionEvents =
        EventSubscription.start(
            subscriptionRedis,
            "stoke-user-functions",
            this::refreshUserFunctions,
            event -> {
              if (event.type() == InstanceEvent.Type.FUNCTIONS_CHANGED
                  && event.function().startsWith(FunctionDefinition.USER_PREFIX)) {
                refreshUserFunctions();
              }
            });
    running = true;
    log.info("Orchestrator started");
  }

  /** Reconciles soon, on the loop thread; requests made while one is queued coalesce. */
  public void requestReconcile() {
    if (reconcileQueued.compareAndSet(false, true)) {
      try {
        loops.execute(
            () -> {
              reconcileQueued.set(false);
              reconcileNow();
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        reconcileQueued.set(false);
      }
    }
  }

  /** One reconcile pass now, on the caller's thread. */
  public void reconcileNow() {
    try {
      reconciler.reconcile();
    } catch (RuntimeException e) {
      log.error("Reconcile failed", e);
    }
  }

  private void refreshUserFunctions() {
    try {
      definitions.refreshUserFunctions();
    } catch (RuntimeException e) {
      log.error("Refreshing user functions failed", e);
    }
  }

  private void checkIdle() {
    try {
      idleReaper.check();
    } catch (RuntimeException e) {
      log.error("Idle check failed", e);
    }
  }

  private void checkLiveness() {
    try {
      liveness.check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Liveness check failed", e);
    }
  }

  private void autoscale() {
    try {
      autoscaling.tick();
    } catch (RuntimeException e) {
      log.error("Autoscaling failed", e);
    }
  }

  /** Reloads the definitions file now; false when it does not load. */
  public boolean reloadDefinitions() {
    return definitions.reload();
  }

  public InstanceManager instances() {
    return instances;
  }

  @Override
  public void stop() {
    running = false;
    definitions.close();
    var subscription = userFunctionEvents;
    if (subscription != null) {
      subscription.close();
    }
    var subscriptionClient = subscriptionRedis;
    if (subscriptionClient != null) {
      subscriptionClient.close();
    }
    demand.close();
    events.close();
    loops.shutdownNow();
    log.info("Orchestrator stopped; instances keep serving");
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
