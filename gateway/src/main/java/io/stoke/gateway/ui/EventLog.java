package io.stoke.gateway.ui;

import io.stoke.common.contract.InstanceEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform's recent events ({@code stoke:events}) for the dashboard: each function's last few,
 * and its last cold-start failure until an instance of it is READY again (the FAILED state).
 */
final class EventLog {

  /** Events kept per function. */
  static final int PER_FUNCTION = 20;

  private final Map<String, ArrayDeque<InstanceEvent>> recent = new ConcurrentHashMap<>();
  private final Map<String, InstanceEvent> failures = new ConcurrentHashMap<>();

  void accept(InstanceEvent event) {
    if (event.function().isEmpty()) {
      return;
    }
    var events = recent.computeIfAbsent(event.function(), f -> new ArrayDeque<>());
    synchronized (events) {
      events.addFirst(event);
      while (events.size() > PER_FUNCTION) {
        events.removeLast();
      }
    }
    switch (event.type()) {
      case FAILED -> failures.put(event.function(), event);
      case READY -> failures.remove(event.function());
      default -> {}
    }
  }

  /** A function's recent events, newest first. */
  List<InstanceEvent> recent(String function) {
    var events = recent.get(function);
    if (events == null) {
      return List.of();
    }
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** The function's last cold-start failure when no instance became READY since, or null. */
  InstanceEvent failure(String function) {
    return failures.get(function);
  }
}
