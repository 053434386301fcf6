package io.stoke.state.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

/**
 * Wing and Gong's linearizability check with Lowe's memoization: a depth-first search that keeps
 * linearizing the first pending call whose effect the model allows, and backtracks when it meets a
 * completion before its call was linearized. Configurations already seen (the set of linearized
 * operations and the model state) are not explored twice.
 *
 * <p>Operations with an unknown outcome complete "at infinity": they may be linearized at any point
 * after their invocation if their effect fits, and the history is accepted once every operation
 * with a known outcome is linearized (the rest never took effect).
 */
public final class LinearizabilityChecker<S, O> {

  private final Model<S, O> model;

  public LinearizabilityChecker(Model<S, O> model) {
    this.model = model;
  }

  /** One call or completion of an operation, in a doubly linked list ordered by time. */
  private static final class Entry<O> {
    final int id;
    final O op;
    final boolean call;
    final boolean unknown;
    Entry<O> match;
    Entry<O> prev;
    Entry<O> next;

    Entry(int id, O op, boolean call, boolean unknown) {
      this.id = id;
      this.op = op;
      this.call = call;
      this.unknown = unknown;
    }
  }

  private record Frame<S, O>(Entry<O> entry, S state) {}

  private record Configuration<S>(BitSet linearized, S state) {}

  /** Whether the history is linearizable with respect to the model. */
  public boolean check(List<Operation<O>> history) {
    var head = list(history);
    var stack = new ArrayDeque<Frame<S, O>>();
    var seen = new HashSet<Configuration<S>>();
    var linearized = new BitSet();
    S state = model.initial();
    var entry = head.next;
    while (head.next != null) {
      if (!entry.call) {
        if (entry.unknown) {
          return true; // every known operation is linearized; the unknown ones left never applied
        }
        if (stack.isEmpty()) {
          return false;
        }
        var frame = stack.pop();
        state = frame.state();
        linearized.clear(frame.entry().id);
        unlift(frame.entry());
        entry = frame.entry().next;
        continue;
      }
      var next = model.step(state, entry.op);
      if (next.isPresent()) {
        var candidate = (BitSet) linearized.clone();
        candidate.set(entry.id);
        if (seen.add(new Configuration<>(candidate, next.get()))) {
          stack.push(new Frame<>(entry, state));
          state = next.get();
          linearized = candidate;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    }
    return true;
  }

  private Entry<O> list(List<Operation<O>> history) {
    var entries = new ArrayList<Entry<O>>();
    var times = new ArrayList<Long>();
    for (int i = 0; i < history.size(); i++) {
      var operation = history.get(i);
      var call = new Entry<>(i, operation.op(), true, operation.outcomeUnknown());
      var done = new Entry<>(i, operation.op(), false, operation.outcomeUnknown());
      call.match = done;
      entries.add(call);
      times.add(operation.invokedAt());
      entries.add(done);
      times.add(operation.completedAt());
    }
    // By time; at equal times calls first, which only makes more orders possible.
    var order = new ArrayList<Integer>();
    for (int i = 0; i < entries.size(); i++) {
      order.add(i);
    }
    order.sort(
        Comparator.<Integer>comparingLong(times::get)
            .thenComparing(i -> entries.get(i).call ? 0 : 1));
    var head = new Entry<O>(-1, null, false, false);
    var last = head;
    for (int i : order) {
      var entry = entries.get(i);
      last.next = entry;
      entry.prev = last;
      last = entry;
    }
    return head;
  }

  private static <O> void lift(Entry<O> call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    var done = call.match;
    done.prev.next = done.next;
    if (done.next != null) {
      done.next.prev = done.prev;
    }
  }

  private static <O> void unlift(Entry<O> call) {
    var done = call.match;
    done.prev.next = done;
    if (done.next != null) {
      done.next.prev = done;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }
}
