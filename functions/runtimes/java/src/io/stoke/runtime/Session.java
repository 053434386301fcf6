package io.stoke.runtime;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A coordination session of the state service, kept alive by a daemon poller whose long-polls of
 * {@code sessions/events} are its heartbeats and deliver its watch events, to a callback (on the
 * poller thread) when one is given, else to {@link #waitEvent}.
 */
public final class Session implements AutoCloseable {

  /** Pause before polling again after the service did not answer (it may be restarting). */
  private static final long RETRY_MS = 200;

  private final State state;
  private final String id;
  private final long timeoutMs;
  private final Consumer<WatchEvent> onEvent;
  private final ArrayDeque<WatchEvent> events = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private volatile boolean closed;

  /** Whether the last poll failed (poller thread only): a streak of failures is reported once. */
  private boolean failing;

  Session(State state, Duration timeout, Consumer<WatchEvent> onEvent) {
    var answer = state.call("sessions/open", Map.of("timeoutMs", timeout.toMillis()));
    this.state = state;
    this.id = (String) answer.get("session");
    this.timeoutMs = ((Number) answer.get("timeoutMs")).longValue();
    this.onEvent = onEvent;
    Thread.ofPlatform().daemon(true).name("stoke-session-" + id).start(this::poll);
  }

  /** The session's id, as the service knows it. */
  public String id() {
    return id;
  }

  /** The timeout the service granted. */
  public Duration timeout() {
    return Duration.ofMillis(timeoutMs);
  }

  /** The state service this session belongs to. */
  public State state() {
    return state;
  }

  private void poll() {
    long after = 0;
    long waitMs = Math.max(100, timeoutMs / 3);
    while (!closed) {
      Map<String, Object> answer;
      try {
        var body = Map.<String, Object>of("session", id, "after", after, "waitMs", waitMs);
        answer = state.call("sessions/events", body);
      } catch (State.StateException e) {
        if (e.code().equals("NoSession") || e.code().equals("SessionExpired")) {
          deliver(new WatchEvent(0, "SessionExpired", null, 0));
          return;
        }
        pause(e);
        continue;
      } catch (UncheckedIOException e) {
        pause(e);
        continue;
      }
      failing = false;
      after = deliverAll(answer, after);
      if (!"open".equals(answer.get("state"))) {
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private long deliverAll(Map<String, Object> answer, long after) {
    long last = after;
    for (var raw : (List<Map<String, Object>>) answer.get("events")) {
      var event = WatchEvent.of(raw);
      last = event.seq();
      deliver(event);
    }
    return last;
  }

  /** The service did not answer: say so once and poll again shortly (the session may live on). */
  private void pause(RuntimeException cause) {
    if (!failing) {
      System.err.println("stoke: session " + id + ": state service did not answer: " + cause);
      failing = true;
    }
    try {
      Thread.sleep(RETRY_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  private void deliver(WatchEvent event) {
    if (onEvent != null) {
      // A failing callback must not stop the poller: its polls are the session's heartbeats.
      try {
        onEvent.accept(event);
      } catch (RuntimeException e) {
        System.err.println("stoke: session " + id + ": the event callback failed on " + event);
        e.printStackTrace(System.err);
      }
      return;
    }
    lock.lock();
    try {
      events.add(event);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The next event, or empty after {@code timeout}; only for a session without a callback. */
  public Optional<WatchEvent> waitEvent(Duration timeout) throws InterruptedException {
    if (onEvent != null) {
      throw new IllegalStateException("session " + id + " delivers its events to a callback");
    }
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (events.isEmpty() && left > 0) {
        left = arrived.awaitNanos(left);
      }
      return Optional.ofNullable(events.poll());
    } finally {
      lock.unlock();
    }
  }

  /** Closes the session: the service deletes its ephemeral nodes at once. */
  @Override
  public void close() {
    closed = true;
    try {
      state.call("sessions/close", Map.of("session", id));
    } catch (State.StateException e) {
      if (!e.code().equals("NoSession") && !e.code().equals("SessionExpired")) {
        throw e;
      }
    }
  }
}
