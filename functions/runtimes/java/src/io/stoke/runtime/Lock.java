package io.stoke.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;

/**
 * ZooKeeper's lock recipe over the state service: each contender creates an ephemeral-sequential
 * node under {@code path}; the lowest holds the lock and each waiter watches only its predecessor
 * (no herd). The lock is lost when the session closes or expires.
 */
public final class Lock implements AutoCloseable {

  private final State state;
  private final String path;
  private final Session session;
  private volatile String node;

  public Lock(String path, Session session) {
    if (path == null || !path.startsWith("/") || path.equals("/")) {
      throw new IllegalArgumentException("lock path = " + path + ", must be an absolute node path");
    }
    this.path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.session = session;
    this.state = session.state();
  }

  /** Waits as long as it takes for the lock. */
  public void acquire() throws InterruptedException {
    acquire(null);
  }

  /**
   * Waits at most {@code timeout} (null = no limit) for the lock: true when held; false when the
   * time ran out. Unless it holds the lock, this contender leaves the queue on the way out.
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    enqueue("");
    boolean held = false;
    try {
      held = awaitFirst(timeout);
      return held;
    } finally {
      // Timed out, interrupted or failed: leave the queue so the next waiter is not stuck.
      if (!held) {
        release();
      }
    }
  }

  /** Creates this contender's node (with {@code data}) under the lock's path. */
  void enqueue(String data) {
    ensurePath(state, path);
    node = state.create(path + "/lock-", data, "ephemeral_sequential", session);
  }

  /** Waits until this contender's node is the lowest; false after {@code timeout}. */
  boolean awaitFirst(Duration timeout) throws InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    var me = node.substring(node.lastIndexOf('/') + 1);
    while (true) {
      var names = new ArrayList<>(state.children(path));
      Collections.sort(names);
      int index = names.indexOf(me);
      if (index < 0) {
        throw new State.StateException(
            Map.<String, Object>of(
                "error",
                "SessionExpired",
                "status",
                410L,
                "message",
                "lock node " + node + " is gone"));
      }
      if (index == 0) {
        return true;
      }
      if (!awaitGone(path + "/" + names.get(index - 1), deadline)) {
        return false;
      }
    }
  }

  /** Waits on a one-shot watch of {@code predecessor} (own session); false at the deadline. */
  private boolean awaitGone(String predecessor, long deadline) throws InterruptedException {
    try (var waiter = state.openSession(session.timeout())) {
      if (!state.exists(predecessor, waiter)) {
        return true;
      }
      long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
      return left > 0 && waiter.waitEvent(Duration.ofNanos(left)).isPresent();
    }
  }

  /** Gives the lock up (or leaves the queue); does nothing when not held. */
  public void release() {
    var held = node;
    node = null;
    if (held == null) {
      return;
    }
    try {
      state.deleteNode(held, -1);
    } catch (State.StateException e) {
      if (!e.code().equals("NoNode")) {
        throw e;
      }
    }
  }

  /** This contender's node, or null when it holds no node. */
  public String node() {
    return node;
  }

  String path() {
    return path;
  }

  State state() {
    return state;
  }

  @Override
  public void close() {
    release();
  }

  /** Creates {@code path} and its ancestors as persistent nodes where missing. */
  static void ensurePath(State state, String path) {
    var node = new StringBuilder();
    for (var part : path.substring(1).split("/")) {
      node.append('/').append(part);
      try {
        state.create(node.toString(), "", "persistent");
      } catch (State.StateException e) {
        if (!e.code().equals("NodeExists")) {
          throw e;
        }
      }
    }
  }
}
