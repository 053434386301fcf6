package io.stoke.orchestrator.instances;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.stoke.orchestrator.docker.Labels;
import java.io.Closeable;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Docker's event stream for Stoke containers, so one killed from outside leaves the
 * registry at once. Reconnects when the stream ends and asks for a reconcile to catch up.
 */
public final class DockerEventWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DockerEventWatcher.class);
  private static final long RECONNECT_DELAY_MS = 1000;

  private final DockerClient docker;
  private final InstanceManager instances;
  private final Runnable onReconnected;
  private final ScheduledExecutorService reconnector =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
  private volatile boolean closed;
  private volatile Closeable stream;

  public DockerEventWatcher(
      DockerClient docker, InstanceManager instances, Runnable onReconnected) {
    this.docker = docker;
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
              .withLabelFilter(Map.of(Labels.MANAGED, "true"))
              .withEventFilter("die")
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
      if (attributes == null || !"true".equals(attributes.get(Labels.MANAGED))) {
        return;
      }
      var function = attributes.getOrDefault(Labels.FUNCTION, "");
      var instanceId = attributes.getOrDefault(Labels.INSTANCE, "");
      log.debug("[{}] container of instance {} died", function, instanceId);
      try {
        instances.containerDied(function, instanceId, event.getId());
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
