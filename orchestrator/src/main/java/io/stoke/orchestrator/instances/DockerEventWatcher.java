package io.stoke.orchestrator.instances;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.stoke.orchestrator.docker.Installation;
import io.stoke.orchestrator.docker.Labels;
import java.io.Closeable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Docker's event stream for this installation's instance containers, so one killed from
 * outside leaves the registry at once. Reconnects when the stream ends and asks for a reconcile to
 * catch up.
 */
public final class DockerEventWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DockerEventWatcher.class);
  private static final long RECONNECT_DELAY_MS = 1000;

  /**
   * The signal whose {@code kill} event announces the end of the instance: SIGKILL. After any other
   * (SIGTERM from {@code docker stop}, SIGHUP) the process may go on serving, or finish its calls
   * in flight; its {@code die} event says when it is gone.
   */
  private static final Set<String> LETHAL_SIGNALS = Set.of("9", "KILL", "SIGKILL");

  /** What an engine event means for an instance. */
  enum Lifecycle {
    /** Killed or out of memory: its process is ending, but the engine still routes to it. */
    DYING,
    /** Its process exited. */
    EXITED,
    /** Nothing that ends it. */
    NONE
  }

  private final DockerClient docker;
  private final Installation installation;
  private final InstanceManager instances;
  private final Runnable onReconnected;
  private final ScheduledExecutorService reconnector =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
  private volatile boolean closed;
  private volatile Closeable stream;

  public DockerEventWatcher(
      DockerClient docker,
      Installation installation,
      InstanceManager instances,
      Runnable onReconnected) {
    this.docker = docker;
    this.installation = installation;
    this.instances = instances;
    this.onReconnected = onReconnected;
  }

  public void start() {
    subscribe(false);
  }

  private void subscribe(boolean reconnect) {
    if (closed) {
      return;
    }
    try {
      stream =
          docker
              .eventsCmd()
              .withEventTypeFilter(EventType.CONTAINER)
              .withLabelFilter(installation.instanceLabels())
              // "kill" and "oom" come first: "die" only follows once the engine has reaped the
              // process, while its port proxy still accepts connections to the dead instance.
              .withEventFilter("kill", "oom", "die")
              .exec(new Callback());
      if (reconnect) {
        onReconnected.run();
      }
    } catch (RuntimeException e) {
      log.warn("Docker event stream unavailable ({}); retrying", e.toString());
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    if (!closed) {
      reconnector.schedule(() -> subscribe(true), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private final class Callback extends ResultCallback.Adapter<Event> {
    @Override
    public void onNext(Event event) {
      var attributes = event.getActor() == null ? null : event.getActor().getAttributes();
      var lifecycle = lifecycle(event.getAction(), attributes);
      if (lifecycle == Lifecycle.NONE || !installation.ownsInstance(attributes)) {
        return;
      }
      var function = attributes.getOrDefault(Labels.FUNCTION, "");
      var instanceId = attributes.getOrDefault(Labels.INSTANCE, "");
      log.debug("[{}] container of instance {}: {}", function, instanceId, event.getAction());
      try {
        instances.containerDied(function, instanceId, event.getId(), lifecycle == Lifecycle.EXITED);
      } catch (RuntimeException e) {
        log.error("[{}] handling the exit of instance {} failed", function, instanceId, e);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      if (!closed) {
        log.warn("Docker event stream failed: {}", throwable.toString());
        scheduleReconnect();
      }
    }

    @Override
    public void onComplete() {
      if (!closed) {
        scheduleReconnect();
      }
    }
  }

  /** What the engine's {@code action} on a container, with its attributes, means. */
  static Lifecycle lifecycle(String action, Map<String, String> attributes) {
    if (action == null) {
      return Lifecycle.NONE;
    }
    return switch (action) {
      case "die" -> Lifecycle.EXITED;
      case "oom" -> Lifecycle.DYING;
      case "kill" ->
          attributes != null && LETHAL_SIGNALS.contains(attributes.getOrDefault("signal", ""))
              ? Lifecycle.DYING
              : Lifecycle.NONE;
      default -> Lifecycle.NONE;
    };
  }

  @Override
  public void close() {
    closed = true;
    reconnector.shutdownNow();
    var current = stream;
    if (current != null) {
      try {
        current.close();
      } catch (java.io.IOException e) {
        log.debug("Closing the Docker event stream: {}", e.toString());
      }
    }
  }
}
